package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bytes a sequence control input is written as, for each data type it may have. */
class SequenceInputsTest {

  // Expected bits from numpy's float32 -> float16 cast (round to nearest, no ties here).
  @ParameterizedTest
  @CsvSource({
    "1.0, 0x3c00",
    "-2.0, 0xc000",
    "100.0, 0x5640",
    "0.1, 0x2e66",
    "0.33333334, 0x3555",
    "1.0009765625, 0x3c01",
    "65504.0, 0x7bff",
    "70000.0, 0x7c00",
    "-70000.0, 0xfc00",
    "6.1035156E-5, 0x0400",
    "1.0E-6, 0x0011",
    "5.9604645E-8, 0x0001",
    "3.0E-8, 0x0001",
    "2.0E-8, 0x0000",
    "0x1p-25, 0x0000",
    "0x1.8p-24, 0x0002",
    "0x1.002p0, 0x3c00",
    "0x1.006p0, 0x3c02",
    "65519.0, 0x7bff",
    "65520.0, 0x7c00",
    "0.0, 0x0000",
    "-0.0, 0x8000"
  })
  void shouldRoundToTheNearestHalfWhenAFloatIsConverted(float value, String bits) {
    assertThat(SequenceInputs.toHalf(value) & 0xffff).isEqualTo(Integer.decode(bits));
  }

  @Test
  void shouldKeepInfinitiesAndNaNWhenConvertedToHalf() {
    assertThat(SequenceInputs.toHalf(Float.POSITIVE_INFINITY) & 0xffff).isEqualTo(0x7c00);
    assertThat(SequenceInputs.toHalf(Float.NEGATIVE_INFINITY) & 0xffff).isEqualTo(0xfc00);
    assertThat(SequenceInputs.toHalf(Float.NaN) & 0xffff).isEqualTo(0x7e00);
  }

  private static ByteBuffer written(DataType type, double value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    SequenceInputs.putNumber(b, type, value);
    return b.flip();
  }

  @Test
  void shouldWriteOneByteWhenTheControlIsBoolOrEightBits() {
    assertThat(written(DataType.BOOL, 0.5).get(0)).isEqualTo((byte) 1);
    assertThat(written(DataType.BOOL, 0).get(0)).isZero();
    assertThat(written(DataType.INT8, -3).remaining()).isEqualTo(1);
    assertThat(written(DataType.INT8, -3).get(0)).isEqualTo((byte) -3);
    assertThat(written(DataType.UINT8, 200).get(0)).isEqualTo((byte) 200);
  }

  @Test
  void shouldWriteLittleEndianIntegersWhenTheControlIsAWiderInteger() {
    assertThat(written(DataType.INT16, -2).getShort(0)).isEqualTo((short) -2);
    assertThat(written(DataType.UINT16, 2).remaining()).isEqualTo(2);
    assertThat(written(DataType.INT32, 70_000).getInt(0)).isEqualTo(70_000);
    assertThat(written(DataType.UINT32, 7).remaining()).isEqualTo(4);
    assertThat(written(DataType.INT64, 1L << 40).getLong(0)).isEqualTo(1L << 40);
    assertThat(written(DataType.UINT64, 9).remaining()).isEqualTo(8);
  }

  @Test
  void shouldWriteFloatingPointBitsWhenTheControlIsAFloat() {
    assertThat(written(DataType.FP16, 1).getShort(0)).isEqualTo((short) 0x3c00);
    assertThat(written(DataType.BF16, 1).getShort(0)).isEqualTo((short) 0x3f80);
    assertThat(written(DataType.FP32, 0.25).getFloat(0)).isEqualTo(0.25f);
    assertThat(written(DataType.FP64, 0.1).getDouble(0)).isEqualTo(0.1);
  }

  @Test
  void shouldRefuseAControlWhenItsTypeIsBytes() {
    assertThatThrownBy(() -> written(DataType.BYTES, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BYTES");
  }
}
