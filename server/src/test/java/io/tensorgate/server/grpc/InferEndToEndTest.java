package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static io.tensorgate.server.Requests.int32s;
import static io.tensorgate.server.Requests.output;
import static io.tensorgate.server.Requests.range;
import static io.tensorgate.server.Requests.readInt32s;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelInfer on the sample models over a real Netty port: raw and typed data, outputs, batches. */
class InferEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withSampleModel("simple_string")
        .withSampleModel("simple_identity")
        .withSampleModel("simple_int8")
        .withSampleModel("mlp_classifier");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void shouldAddAndSubtractWhenInputsAreRaw() {
    ModelInferResponse r = server.blocking().modelInfer(Requests.simple(1));
    int[] a = range(0, 16);
    int[] sum = readInt32s(output(r, "OUTPUT0"));
    int[] diff = readInt32s(output(r, "OUTPUT1"));
    for (int i = 0; i < 16; i++) {
      assertThat(sum[i]).isEqualTo(a[i] + 1);
      assertThat(diff[i]).isEqualTo(a[i] - 1);
    }
    assertThat(r.getModelName()).isEqualTo("simple");
    assertThat(r.getModelVersion()).isEqualTo("1");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 16L);
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("INT32");
  }

  @Test
  void shouldAcceptTypedContentsAndAnswerRaw() {
    int[] a = range(100, 16);
    int[] b = range(-5, 16);
    ModelInferResponse r = server.blocking().modelInfer(Requests.simpleTyped(a, b));
    int[] sum = readInt32s(output(r, "OUTPUT0"));
    for (int i = 0; i < 16; i++) {
      assertThat(sum[i]).isEqualTo(a[i] + b[i]);
    }
  }

  @Test
  void shouldEchoRequestIdWhenGiven() {
    ModelInferResponse r =
        server.blocking().modelInfer(Requests.simple(1).toBuilder().setId("req-42").build());
    assertThat(r.getId()).isEqualTo("req-42");
  }

  @Test
  void shouldReturnOnlyRequestedOutputsWhenSubsetAsked() {
    ModelInferRequest req =
        Requests.simple(1).toBuilder()
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("OUTPUT1"))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(r.getOutputsList()).extracting(o -> o.getName()).containsExactly("OUTPUT1");
    assertThat(r.getRawOutputContentsCount()).isEqualTo(1);
    assertThat(readInt32s(r.getRawOutputContents(0))[3]).isEqualTo(3 - 1);
  }

  @Test
  void shouldComputeEveryRowWhenRequestCarriesFullBatch() {
    ModelInferResponse r = server.blocking().modelInfer(Requests.simple(8));
    int[] sum = readInt32s(output(r, "OUTPUT0"));
    assertThat(sum).hasSize(128);
    for (int i = 0; i < 128; i++) {
      assertThat(sum[i]).isEqualTo(i + 1);
    }
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(8L, 16L);
  }

  @Test
  void shouldDoArithmeticOnDecimalStringsWhenModelIsSimpleString() {
    byte[][] a = new byte[16][];
    byte[][] b = new byte[16][];
    for (int i = 0; i < 16; i++) {
      a[i] = Integer.toString(i * 10).getBytes(StandardCharsets.UTF_8);
      b[i] = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_string")
            .addInputs(input("INPUT0", "BYTES", 1, 16))
            .addInputs(input("INPUT1", "BYTES", 1, 16))
            .addRawInputContents(Requests.bytesTensor(a))
            .addRawInputContents(Requests.bytesTensor(b))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    String[] sums = strings(output(r, "OUTPUT0"));
    assertThat(sums).hasSize(16);
    for (int i = 0; i < 16; i++) {
      assertThat(sums[i]).isEqualTo(Integer.toString(i * 11));
    }
  }

  @Test
  void shouldReturnBytesUnchangedWhenModelIsIdentity() {
    byte[][] elems = {
      "".getBytes(StandardCharsets.UTF_8),
      "héllo".getBytes(StandardCharsets.UTF_8),
      "tab\there".getBytes(StandardCharsets.UTF_8)
    };
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, 3))
            .addRawInputContents(Requests.bytesTensor(elems))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(output(r, "OUTPUT0")).isEqualTo(Requests.bytesTensor(elems));
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("BYTES");
  }

  @Test
  void shouldAcceptTypedBytesContents() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(
                input("INPUT0", "BYTES", 1, 2).toBuilder()
                    .setContents(
                        io.tensorgate.proto.inference.InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("x"))
                            .addBytesContents(ByteString.copyFromUtf8("yz"))))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(strings(output(r, "OUTPUT0"))).containsExactly("x", "yz");
  }

  @Test
  void shouldWrapAroundWhenInt8Overflows() {
    byte[] a = new byte[16];
    byte[] b = new byte[16];
    Arrays.fill(a, (byte) 100);
    Arrays.fill(b, (byte) 100);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_int8")
            .addInputs(input("INPUT0", "INT8", 1, 16))
            .addInputs(input("INPUT1", "INT8", 1, 16))
            .addRawInputContents(ByteString.copyFrom(a))
            .addRawInputContents(ByteString.copyFrom(b))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(output(r, "OUTPUT0").byteAt(0)).isEqualTo((byte) -56);
    assertThat(output(r, "OUTPUT1").byteAt(0)).isEqualTo((byte) 0);
  }

  @Test
  void shouldReturnTopClassesWithLabelsWhenClassificationRequested() {
    float[] features = new float[64];
    for (int i = 0; i < 64; i++) {
      features[i] = (float) Math.sin(i);
    }
    ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : features) {
      buf.putFloat(f);
    }
    ModelInferRequest base =
        ModelInferRequest.newBuilder()
            .setModelName("mlp_classifier")
            .addInputs(input("features", "FP32", 1, 64))
            .addRawInputContents(ByteString.copyFrom(buf.flip()))
            .build();
    float[] probs =
        Requests.readFloats(output(server.blocking().modelInfer(base), "probabilities"));
    int best = 0;
    for (int i = 1; i < probs.length; i++) {
      if (probs[i] > probs[best]) {
        best = i;
      }
    }
    ModelInferRequest classify =
        base.toBuilder()
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                    .setName("probabilities")
                    .putParameters(
                        "classification", InferParameter.newBuilder().setInt64Param(3).build()))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(classify);
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo("BYTES");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 3L);
    String[] classes = strings(r.getRawOutputContents(0));
    assertThat(classes).hasSize(3);
    String[] top = classes[0].split(":");
    assertThat(Integer.parseInt(top[1])).isEqualTo(best);
    assertThat(Float.parseFloat(top[0]))
        .isCloseTo(probs[best], org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(top).hasSize(3);
  }

  static String[] strings(ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    java.util.List<String> out = new java.util.ArrayList<>();
    while (b.hasRemaining()) {
      byte[] s = new byte[b.getInt()];
      b.get(s);
      out.add(new String(s, StandardCharsets.UTF_8));
    }
    return out.toArray(new String[0]);
  }

  @Test
  void shouldGiveSameAnswerForRawAndTypedWhenValuesEqual() {
    int[] a = range(7, 16);
    int[] b = range(3, 16);
    ModelInferRequest raw =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(input("INPUT0", "INT32", 1, 16))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(int32s(a))
            .addRawInputContents(int32s(b))
            .build();
    assertThat(output(server.blocking().modelInfer(raw), "OUTPUT1"))
        .isEqualTo(output(server.blocking().modelInfer(Requests.simpleTyped(a, b)), "OUTPUT1"));
  }
}
