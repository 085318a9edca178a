package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {
  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer fp32(float... v) {
    ByteBuffer b = le(4 * v.length);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.flip();
  }

  /** Decodes the BYTES framing the classifier returns. */
  private static List<String> strings(ByteBuffer b) {
    ByteBuffer in = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<String> out = new ArrayList<>();
    while (in.hasRemaining()) {
      byte[] s = new byte[in.getInt()];
      in.get(s);
      out.add(new String(s, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static List<String> classify(ByteBuffer data, DataType type, int rows, int n)
      throws InferenceException {
    return strings(Classifier.classify(data, type, rows, n, null, "OUT"));
  }

  @Test
  void shouldClassifyEachRowSeparatelyWhenSeveralRows() throws Exception {
    ByteBuffer data = fp32(0.1f, 0.9f, 0.5f, 0.7f, 0.2f, 0.3f);

    assertThat(classify(data, DataType.FP32, 2, 2))
        .containsExactly("0.900000:1", "0.500000:2", "0.700000:0", "0.300000:2");
  }

  @Test
  void shouldReturnAllElementsWhenNExceedsRow() throws Exception {
    assertThat(classify(fp32(1f, 3f, 2f), DataType.FP32, 1, 10))
        .containsExactly("3.000000:1", "2.000000:2", "1.000000:0");
  }

  @Test
  void shouldTreatZeroRowsAsOneRow() throws Exception {
    assertThat(classify(fp32(1f, 3f), DataType.FP32, 0, 1)).containsExactly("3.000000:1");
  }

  @Test
  void shouldReadRowsAfterTheBufferPosition() throws Exception {
    ByteBuffer b = le(12).putFloat(99f).putFloat(1f).putFloat(2f).flip();
    b.position(4);

    assertThat(classify(b, DataType.FP32, 1, 2)).containsExactly("2.000000:1", "1.000000:0");
  }

  @Test
  void shouldAppendLabelWhenLabelExistsForIndex() throws Exception {
    ByteBuffer data = fp32(0.1f, 0.9f, 0.5f);

    assertThat(strings(Classifier.classify(data, DataType.FP32, 1, 3, List.of("a", "b"), "OUT")))
        .containsExactly("0.900000:1:b", "0.500000:2", "0.100000:0:a");
  }

  @Test
  void shouldFrameEachStringWithItsUtf8Length() throws Exception {
    ByteBuffer out = Classifier.classify(fp32(1f), DataType.FP32, 1, 1, List.of("é"), "OUT");

    assertThat(out.order(ByteOrder.LITTLE_ENDIAN).getInt(0))
        .isEqualTo("1.000000:0:é".getBytes(StandardCharsets.UTF_8).length);
    assertThat(out.remaining()).isEqualTo(4 + 13);
  }

  @Test
  void shouldFormatFp64WithSixDecimals() throws Exception {
    ByteBuffer b = le(16).putDouble(0.25).putDouble(-1.5).flip();

    assertThat(classify(b, DataType.FP64, 1, 2)).containsExactly("0.250000:0", "-1.500000:1");
  }

  @Test
  void shouldFormatIntegersWithoutDecimalsWhenInt32() throws Exception {
    ByteBuffer b = le(12).putInt(-7).putInt(40000).putInt(3).flip();

    assertThat(classify(b, DataType.INT32, 1, 3)).containsExactly("40000:1", "3:2", "-7:0");
  }

  @Test
  void shouldReadUint8AsUnsigned() throws Exception {
    ByteBuffer b = le(2).put((byte) 200).put((byte) 100).flip();

    assertThat(classify(b, DataType.UINT8, 1, 2)).containsExactly("200:0", "100:1");
  }

  @Test
  void shouldReadInt8AsSigned() throws Exception {
    ByteBuffer b = le(2).put((byte) -100).put((byte) 5).flip();

    assertThat(classify(b, DataType.INT8, 1, 2)).containsExactly("5:1", "-100:0");
  }

  @Test
  void shouldReadUint16AsUnsigned() throws Exception {
    ByteBuffer b = le(4).putShort((short) 60000).putShort((short) 2).flip();

    assertThat(classify(b, DataType.UINT16, 1, 2)).containsExactly("60000:0", "2:1");
  }

  @Test
  void shouldReadInt16AsSigned() throws Exception {
    ByteBuffer b = le(4).putShort((short) -30000).putShort((short) 2).flip();

    assertThat(classify(b, DataType.INT16, 1, 2)).containsExactly("2:1", "-30000:0");
  }

  @Test
  void shouldReadUint32AsUnsigned() throws Exception {
    ByteBuffer b = le(8).putInt(-1).putInt(2).flip();

    assertThat(classify(b, DataType.UINT32, 1, 2)).containsExactly("4294967295:0", "2:1");
  }

  @Test
  void shouldReadInt64AsSigned() throws Exception {
    ByteBuffer b = le(16).putLong(-5_000_000_000L).putLong(5_000_000_000L).flip();

    assertThat(classify(b, DataType.INT64, 1, 2)).containsExactly("5000000000:1", "-5000000000:0");
  }

  @Test
  void shouldRankUint64AboveSignedRangeHighest() throws Exception {
    ByteBuffer b = le(16).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE - 1024).flip();

    assertThat(classify(b, DataType.UINT64, 1, 1)).singleElement().asString().endsWith(":0");
  }

  @Test
  void shouldReadSmallUint64Exactly() throws Exception {
    ByteBuffer b = le(16).putLong(3).putLong(8).flip();

    assertThat(classify(b, DataType.UINT64, 1, 2)).containsExactly("8:1", "3:0");
  }

  @Test
  void shouldRefuseWhenTypeIsBytes() {
    assertUnsupported(DataType.BYTES);
  }

  @Test
  void shouldRefuseWhenTypeIsBool() {
    assertUnsupported(DataType.BOOL);
  }

  @Test
  void shouldRefuseWhenTypeIsFp16() {
    assertUnsupported(DataType.FP16);
  }

  @Test
  void shouldRefuseWhenTypeIsBf16() {
    assertUnsupported(DataType.BF16);
  }

  private static void assertUnsupported(DataType t) {
    assertThatThrownBy(() -> Classifier.classify(le(8), t, 1, 1, null, "OUT"))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "class result not available for output 'OUT' due to unsupported type '"
                + t.wireName()
                + "'");
  }

  @Test
  void shouldRefuseWhenRowLargerThanLimit() {
    ByteBuffer b = ByteBuffer.allocate(Classifier.MAX_ELEMENTS + 1);

    assertThatThrownBy(() -> Classifier.classify(b, DataType.UINT8, 1, 1, null, "OUT"))
        .isInstanceOf(InferenceException.class)
        .hasMessage("classification output tensor too large");
  }

  @Test
  void shouldClassifyWhenRowExactlyAtLimit() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(Classifier.MAX_ELEMENTS);

    assertThat(classify(b, DataType.UINT8, 1, 1)).hasSize(1);
  }

  @Test
  void shouldCountClassesPerRowAsMinOfNAndRowElements() {
    ByteBuffer b = fp32(1, 2, 3, 4, 5, 6);

    assertThat(Classifier.classesPerRow(b, DataType.FP32, 2, 2)).isEqualTo(2);
    assertThat(Classifier.classesPerRow(b, DataType.FP32, 2, 5)).isEqualTo(3);
    assertThat(Classifier.classesPerRow(b, DataType.FP32, 0, 9)).isEqualTo(6);
  }

  @Test
  void shouldFormatUint64ExactlyWhenAboveTheSignedRange() throws Exception {
    ByteBuffer b = le(16).putLong(-1L).putLong(1L << 63).flip();

    assertThat(classify(b, DataType.UINT64, 1, 2))
        .containsExactly("18446744073709551615:0", "9223372036854775808:1");
  }

  @Test
  void shouldFormatInt64ExactlyWhenBeyondDoublePrecision() throws Exception {
    ByteBuffer b = le(16).putLong((1L << 53) + 1).putLong(Long.MIN_VALUE + 1).flip();

    assertThat(classify(b, DataType.INT64, 1, 2))
        .containsExactly("9007199254740993:0", "-9223372036854775807:1");
  }

  @Test
  void shouldOrderInt64ExactlyWhenValuesDifferBeyondDoublePrecision() throws Exception {
    ByteBuffer b = le(16).putLong(1L << 53).putLong((1L << 53) + 1).flip();

    assertThat(classify(b, DataType.INT64, 1, 1)).containsExactly("9007199254740993:1");
  }
}
