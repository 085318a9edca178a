package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.client.Datatype;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferOutput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every datatype through the client both ways: typed Java arrays in, through an identity model
 * (INPUT0 -> OUTPUT0) on a real Tensorgate, and read back as the same values. UINT16/32/64, which
 * ONNX Runtime's Java API cannot take as inputs, come back from a model that casts to them.
 */
class DatatypesEndToEndTest {
  static final String[] IDENTITY = {
    "BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES"
  };

  @TempDir static Path repo;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    TestRepository r = new TestRepository(repo);
    for (String t : IDENTITY) {
      String name = "identity_" + t.toLowerCase(Locale.ROOT);
      String type = t.equals("BYTES") ? "TYPE_STRING" : "TYPE_" + t;
      r.withModel(name, name + ".onnx", config(type, "OUTPUT0", type), 1);
    }
    r.withModel(
        "cast_unsigned",
        "cast_unsigned.onnx",
        "platform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n"
            + "input [{ name: \"INPUT0\" data_type: TYPE_INT64 dims: [-1] }]\n"
            + "output [{ name: \"OUTPUT_UINT16\" data_type: TYPE_UINT16 dims: [-1] },"
            + " { name: \"OUTPUT_UINT32\" data_type: TYPE_UINT32 dims: [-1] },"
            + " { name: \"OUTPUT_UINT64\" data_type: TYPE_UINT64 dims: [-1] }]\n",
        1);
    server = RunningServer.start(repo);
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  private static String config(String inType, String out, String outType) {
    return "platform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n"
        + "input [{ name: \"INPUT0\" data_type: "
        + inType
        + " dims: [-1] }]\n"
        + "output [{ name: \""
        + out
        + "\" data_type: "
        + outType
        + " dims: [-1] }]\n";
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  private static InferOutput echo(InferInput input) {
    String model = "identity_" + input.datatype().name().toLowerCase(Locale.ROOT);
    InferOutput out =
        client.infer(InferRequest.builder(model).input(input).build()).output("OUTPUT0");
    assertThat(out.datatype()).isEqualTo(input.datatype());
    assertThat(out.shape()).isEqualTo(input.shape());
    return out;
  }

  @Test
  void shouldRoundTripBooleansWhenBool() {
    boolean[] v = {true, false, true};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asBooleans()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripUnsignedBytesWhenUint8() {
    byte[] v = {0, 1, (byte) 200, (byte) 255};
    assertThat(echo(InferInput.uint8("INPUT0", v, 1, 4)).asInts()).containsExactly(0, 1, 200, 255);
  }

  @Test
  void shouldRoundTripSignedBytesWhenInt8() {
    byte[] v = {-128, -1, 0, 127};
    assertThat(echo(InferInput.int8("INPUT0", v, 1, 4)).asInts()).containsExactly(-128, -1, 0, 127);
  }

  @Test
  void shouldRoundTripShortsWhenInt16() {
    short[] v = {Short.MIN_VALUE, -1, Short.MAX_VALUE};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asInts())
        .containsExactly(Short.MIN_VALUE, -1, Short.MAX_VALUE);
  }

  @Test
  void shouldRoundTripIntsWhenInt32() {
    int[] v = {Integer.MIN_VALUE, -7, Integer.MAX_VALUE, 0};
    assertThat(echo(InferInput.of("INPUT0", v, 2, 2)).asInts()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripLongsWhenInt64() {
    long[] v = {Long.MIN_VALUE, 1L << 40, Long.MAX_VALUE};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asLongs()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripHalvesWhenFp16() {
    float[] v = {1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY};
    assertThat(echo(InferInput.fp16("INPUT0", v, 1, 5)).asFloats()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripBfloatsWhenBf16() {
    float[] v = {1f, -3f, 0.5f, 0x1p100f};
    assertThat(echo(InferInput.bf16("INPUT0", v, 1, 4)).asFloats()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripFloatRowsWhenFp32() {
    float[][] rows = {{1.5f, -0f, Float.MIN_VALUE}, {Float.MAX_VALUE, 3f, -7.25f}};
    assertThat(echo(InferInput.of("INPUT0", rows)).asFloatRows()).isDeepEqualTo(rows);
  }

  @Test
  void shouldRoundTripDoublesWhenFp64() {
    double[] v = {Math.PI, -Double.MAX_VALUE, Double.MIN_VALUE};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asDoubles()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripStringsWhenBytes() {
    String[] v = {"", "hello", "grüße ✓"};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asStrings()).isEqualTo(v);
  }

  @Test
  void shouldRoundTripByteArraysWhenBytes() {
    byte[][] v = {{'a', 'b'}, {}, {'x'}};
    assertThat(echo(InferInput.of("INPUT0", v, 1, 3)).asBytes()).isDeepEqualTo(v);
  }

  @Test
  void shouldSendADirectBufferAsItIsWhenRaw() {
    ByteBuffer direct = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
    direct.putFloat(1f).putFloat(2f).putFloat(3f).flip();
    InferOutput out = echo(InferInput.raw("INPUT0", Datatype.FP32, direct, 1, 3));
    assertThat(out.asFloats()).containsExactly(1f, 2f, 3f);
    assertThat(out.buffer().getFloat(8)).isEqualTo(3f);
  }

  @Test
  void shouldReadUnsignedOutputsAsUnsignedWhenWiderThanAByte() {
    InferRequest r =
        InferRequest.builder("cast_unsigned")
            .input(InferInput.of("INPUT0", new long[] {-1, 3}, 1, 2))
            .build();
    var result = client.infer(r);
    assertThat(result.output("OUTPUT_UINT16").datatype()).isEqualTo(Datatype.UINT16);
    assertThat(result.output("OUTPUT_UINT16").asInts()).containsExactly(65535, 3);
    assertThat(result.output("OUTPUT_UINT32").asLongs()).containsExactly(4294967295L, 3);
    assertThat(Long.toUnsignedString(result.output("OUTPUT_UINT64").asLongs()[0]))
        .isEqualTo("18446744073709551615");
  }
}
