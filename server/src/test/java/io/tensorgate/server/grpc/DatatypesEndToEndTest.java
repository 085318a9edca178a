package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Triton datatype ONNX Runtime's Java API can run goes through an identity model unchanged,
 * as raw bytes and, where the type has a typed contents field, as typed contents.
 */
class DatatypesEndToEndTest {
  static final String[] TYPES = {
    "BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "BF16"
  };

  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    TestRepository r = new TestRepository(repo);
    for (String t : TYPES) {
      String name = "identity_" + t.toLowerCase(Locale.ROOT);
      String configType = t.equals("BYTES") ? "TYPE_STRING" : "TYPE_" + t;
      r.withModel(
          name,
          name + ".onnx",
          "platform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n"
              + "input [{ name: \"INPUT0\" data_type: "
              + configType
              + " dims: [-1] }]\n"
              + "output [{ name: \"OUTPUT0\" data_type: "
              + configType
              + " dims: [-1] }]\n",
          1);
    }
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static int size(String type) {
    switch (type) {
      case "BOOL":
      case "UINT8":
      case "INT8":
        return 1;
      case "INT16":
      case "FP16":
      case "BF16":
        return 2;
      case "INT32":
      case "FP32":
        return 4;
      default:
        return 8;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES", "BF16"
      })
  void shouldReturnRawInputUnchanged(String type) {
    int n = 6;
    ByteString data;
    Random rnd = new Random(type.hashCode());
    if (type.equals("BYTES")) {
      data =
          Requests.bytesTensor(
              "a".getBytes(),
              new byte[0],
              "ccc".getBytes(),
              "dé".getBytes(java.nio.charset.StandardCharsets.UTF_8),
              "e".getBytes(),
              "f".getBytes());
    } else {
      byte[] b = new byte[n * size(type)];
      rnd.nextBytes(b);
      if (type.equals("BOOL")) {
        for (int i = 0; i < b.length; i++) {
          b[i] &= 1;
        }
      }
      if (type.startsWith("FP") || type.equals("BF16")) {
        // Avoid NaN payloads, which a runtime may canonicalize.
        for (int i = size(type) - 1; i < b.length; i += size(type)) {
          b[i] &= 0x3f;
        }
      }
      data = ByteString.copyFrom(b);
    }
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("identity_" + type.toLowerCase(Locale.ROOT))
            .addInputs(input("INPUT0", type, 2, 3))
            .addRawInputContents(data)
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(r.getOutputs(0).getDatatype()).isEqualTo(type);
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L, 3L);
    assertThat(r.getRawOutputContents(0)).isEqualTo(data);
  }

  @ParameterizedTest
  @ValueSource(strings = {"BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP32", "FP64"})
  void shouldAcceptTypedContents(String type) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    java.nio.ByteBuffer expected =
        java.nio.ByteBuffer.allocate(3 * size(type)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) {
      int v = i == 1 ? -1 : i + 1;
      switch (type) {
        case "BOOL":
          c.addBoolContents(i != 0);
          expected.put((byte) (i != 0 ? 1 : 0));
          break;
        case "UINT8":
          c.addUintContents(200 + i);
          expected.put((byte) (200 + i));
          break;
        case "INT8":
          c.addIntContents(v);
          expected.put((byte) v);
          break;
        case "INT16":
          c.addIntContents(v * 1000);
          expected.putShort((short) (v * 1000));
          break;
        case "INT32":
          c.addIntContents(v * 100000);
          expected.putInt(v * 100000);
          break;
        case "INT64":
          c.addInt64Contents(v * 10_000_000_000L);
          expected.putLong(v * 10_000_000_000L);
          break;
        case "FP32":
          c.addFp32Contents(v * 0.5f);
          expected.putFloat(v * 0.5f);
          break;
        default:
          c.addFp64Contents(v * 0.25);
          expected.putDouble(v * 0.25);
      }
    }
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("identity_" + type.toLowerCase(Locale.ROOT))
            .addInputs(input("INPUT0", type, 1, 3).toBuilder().setContents(c))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(r.getRawOutputContents(0)).isEqualTo(ByteString.copyFrom(expected.flip()));
  }

  @org.junit.jupiter.api.Test
  void shouldLoadEveryIdentityModel() {
    assertThat(
            server
                .blocking()
                .repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                .getModelsCount())
        .isEqualTo(TYPES.length);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void shouldReturnBytesUnchangedThatJavaStringsWouldAlter(boolean typed) {
    byte[][] elements = {
      {(byte) 0xC3, 0x28},
      {'h', 'e', 0, 'l', 'l', 'o'},
      {0, 1, 2, 3},
      {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}
    };
    ModelInferRequest.InferInputTensor in = input("INPUT0", "BYTES", 1, elements.length);
    ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName("identity_bytes");
    if (typed) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (byte[] e : elements) {
        c.addBytesContents(ByteString.copyFrom(e));
      }
      req.addInputs(in.toBuilder().setContents(c));
    } else {
      req.addInputs(in).addRawInputContents(Requests.bytesTensor(elements));
    }

    ModelInferResponse r = server.blocking().modelInfer(req.build());

    assertThat(r.getRawOutputContents(0)).isEqualTo(Requests.bytesTensor(elements));
  }
}
