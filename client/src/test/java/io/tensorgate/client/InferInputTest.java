package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InferInputTest {
  private static byte[] bytes(InferInput in) {
    ByteBuffer b = in.data();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void shouldLayOutFloatRowsLittleEndianWhenGivenA2dArray() {
    InferInput in = InferInput.of("x", new float[][] {{1f, 2f}, {3f, -4.5f}});
    assertThat(in.datatype()).isEqualTo(Datatype.FP32);
    assertThat(in.shape()).containsExactly(2, 2);
    ByteBuffer want = le(16).putFloat(1f).putFloat(2f).putFloat(3f).putFloat(-4.5f);
    assertThat(bytes(in)).isEqualTo(want.array());
  }

  @Test
  void shouldRefuseRaggedRowsWhenRowsDifferInLength() {
    assertThatThrownBy(() -> InferInput.of("x", new float[][] {{1f, 2f}, {3f}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rows differ in length");
  }

  @Test
  void shouldRefuseShapeWhenValuesDoNotFillIt() {
    assertThatThrownBy(() -> InferInput.of("x", new int[15], 1, 16))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'x': 15 values do not fill shape [1, 16] (16 elements)");
  }

  @Test
  void shouldRefuseNegativeDimensionWhenGivenOne() {
    assertThatThrownBy(() -> InferInput.of("x", new int[0], -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative dimension");
  }

  @Test
  void shouldRefuseShapeWhenElementCountOverflows() {
    assertThatThrownBy(() -> InferInput.of("x", new int[1], 1L << 40, 1L << 40))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldEncodeIntegersLittleEndianWhenTypedByJavaArray() {
    assertThat(bytes(InferInput.of("x", new int[] {1, -2}, 2)))
        .isEqualTo(le(8).putInt(1).putInt(-2).array());
    assertThat(bytes(InferInput.of("x", new long[] {1L << 40}, 1)))
        .isEqualTo(le(8).putLong(1L << 40).array());
    assertThat(bytes(InferInput.of("x", new short[] {-3}, 1)))
        .isEqualTo(le(2).putShort((short) -3).array());
    assertThat(bytes(InferInput.of("x", new double[] {0.1}, 1)))
        .isEqualTo(le(8).putDouble(0.1).array());
    assertThat(bytes(InferInput.of("x", new boolean[] {true, false}, 2))).containsExactly(1, 0);
  }

  @Test
  void shouldNameTheDatatypeWhenMadeByEachFactory() {
    assertThat(InferInput.of("x", new int[1], 1).datatype()).isEqualTo(Datatype.INT32);
    assertThat(InferInput.of("x", new long[1], 1).datatype()).isEqualTo(Datatype.INT64);
    assertThat(InferInput.of("x", new short[1], 1).datatype()).isEqualTo(Datatype.INT16);
    assertThat(InferInput.of("x", new double[1], 1).datatype()).isEqualTo(Datatype.FP64);
    assertThat(InferInput.of("x", new boolean[1], 1).datatype()).isEqualTo(Datatype.BOOL);
    assertThat(InferInput.int8("x", new byte[1], 1).datatype()).isEqualTo(Datatype.INT8);
    assertThat(InferInput.uint8("x", new byte[1], 1).datatype()).isEqualTo(Datatype.UINT8);
    assertThat(InferInput.uint16("x", new int[1], 1).datatype()).isEqualTo(Datatype.UINT16);
    assertThat(InferInput.uint32("x", new long[1], 1).datatype()).isEqualTo(Datatype.UINT32);
    assertThat(InferInput.uint64("x", new long[1], 1).datatype()).isEqualTo(Datatype.UINT64);
    assertThat(InferInput.fp16("x", new float[1], 1).datatype()).isEqualTo(Datatype.FP16);
    assertThat(InferInput.bf16("x", new float[1], 1).datatype()).isEqualTo(Datatype.BF16);
  }

  @Test
  void shouldEncodeUnsignedValuesWhenInRange() {
    assertThat(bytes(InferInput.uint16("x", new int[] {65535}, 1))).containsExactly(-1, -1);
    assertThat(bytes(InferInput.uint32("x", new long[] {0xfffffffeL}, 1)))
        .isEqualTo(le(4).putInt(0xfffffffe).array());
    assertThat(bytes(InferInput.uint64("x", new long[] {-1L}, 1)))
        .isEqualTo(le(8).putLong(-1L).array());
  }

  @Test
  void shouldRefuseUnsignedValuesWhenOutOfRange() {
    assertThatThrownBy(() -> InferInput.uint16("x", new int[] {65536}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536 is not a UINT16");
    assertThatThrownBy(() -> InferInput.uint32("x", new long[] {-1}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1 is not a UINT32");
  }

  @Test
  void shouldConvertFloatsToHalvesWhenFp16OrBf16() {
    assertThat(bytes(InferInput.fp16("x", new float[] {1f, -2f}, 2)))
        .isEqualTo(le(4).putShort((short) 0x3c00).putShort((short) 0xc000).array());
    assertThat(bytes(InferInput.bf16("x", new float[] {1f, -2f}, 2)))
        .isEqualTo(le(4).putShort((short) 0x3f80).putShort((short) 0xc000).array());
  }

  @Test
  void shouldFrameBytesElementsWithLittleEndianLengthsWhenBytes() {
    InferInput in = InferInput.of("x", new byte[][] {{0, 'a'}, {}}, 2);
    assertThat(in.datatype()).isEqualTo(Datatype.BYTES);
    assertThat(bytes(in)).containsExactly(2, 0, 0, 0, 0, 'a', 0, 0, 0, 0);
  }

  @Test
  void shouldEncodeStringsAsUtf8WhenStrings() {
    InferInput in = InferInput.of("x", new String[] {"é😀"}, 1);
    byte[] utf8 = "é😀".getBytes(StandardCharsets.UTF_8);
    assertThat(bytes(in)).isEqualTo(le(4 + utf8.length).putInt(utf8.length).put(utf8).array());
  }

  @Test
  void shouldShareTheCallersBufferWhenRaw() {
    ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    direct.putFloat(0, 1f).putFloat(4, 2f);
    InferInput in = InferInput.raw("x", Datatype.FP32, direct, 1, 2);
    direct.putFloat(4, 42f);
    assertThat(in.data().order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(42f);
  }

  @Test
  void shouldRefuseRawBufferWhenItsSizeDoesNotFitTheShape() {
    assertThatThrownBy(() -> InferInput.raw("x", Datatype.FP32, ByteBuffer.allocate(12), 1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 'x': 12 bytes do not fill shape [1, 2] of FP32 (8 bytes)");
  }

  @Test
  void shouldClipLongNamesWhenEchoedInMessages() {
    String name = "n".repeat(10_000);
    assertThatThrownBy(() -> InferInput.of(name, new int[1], 2))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }
}
