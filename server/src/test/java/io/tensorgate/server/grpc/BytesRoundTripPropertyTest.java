package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random BYTES elements, with NUL bytes, invalid UTF-8 and four-byte UTF-8 sequences
 * over-represented, go through the sample model {@code simple_identity} over gRPC (a real Netty
 * port) and come back byte for byte, sent as {@code raw_input_contents} or as typed {@code
 * bytes_contents}. A failure prints the shrunk example and the seed; {@code -DQT_SEED=<seed>}
 * replays it.
 */
class BytesRoundTripPropertyTest {
  private static final List<byte[]> PIECES =
      List.of(
          new byte[] {0},
          new byte[] {(byte) 0xFF},
          new byte[] {(byte) 0xC0, (byte) 0x80},
          new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
          new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
          "he\u0000llo \u4e2d".getBytes(StandardCharsets.UTF_8));

  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static Gen<byte[]> elements() {
    Gen<byte[]> random =
        lists()
            .of(integers().between(0, 255))
            .ofSizeBetween(0, 12)
            .map(
                values -> {
                  byte[] bytes = new byte[values.size()];
                  for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = values.get(i).byteValue();
                  }
                  return bytes;
                });
    return lists()
        .of(Generate.pick(PIECES).mix(random, 50))
        .ofSizeBetween(0, 5)
        .map(
            pieces -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              pieces.forEach(out::writeBytes);
              return out.toByteArray();
            });
  }

  private static Gen<List<byte[]>> tensors() {
    return lists()
        .of(elements())
        .ofSizeBetween(1, 24)
        .describedAs(
            elements ->
                elements.stream()
                    .map(e -> ByteString.copyFrom(e).toString())
                    .collect(joining(", ", "[", "]")));
  }

  private static ModelInferRequest request(List<byte[]> elements, boolean typed) {
    ModelInferRequest.InferInputTensor in = input("INPUT0", "BYTES", 1, elements.size());
    ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName("simple_identity");
    if (typed) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      elements.forEach(e -> c.addBytesContents(ByteString.copyFrom(e)));
      return req.addInputs(in.toBuilder().setContents(c)).build();
    }
    return req.addInputs(in)
        .addRawInputContents(Requests.bytesTensor(elements.toArray(new byte[0][])))
        .build();
  }

  @Test
  void shouldReturnEveryElementUnchangedWhenRandomBytesGoThroughSimpleIdentity() {
    qt().withExamples(150)
        .forAll(tensors(), booleans().all())
        .checkAssert(
            (elements, typed) -> {
              ModelInferResponse r = server.blocking().modelInfer(request(elements, typed));

              assertThat(r.getOutputs(0).getShapeList())
                  .containsExactly(1L, (long) elements.size());
              assertThat(r.getRawOutputContents(0))
                  .isEqualTo(Requests.bytesTensor(elements.toArray(new byte[0][])));
            });
  }
}
