package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
  @Test
  void shouldRoundTripEveryFp16ValueWhenWidenedAndNarrowed() {
    for (int bits = 0; bits <= 0xffff; bits++) {
      float f = HalfFloats.fromHalf((short) bits);
      short back = HalfFloats.toHalf(f);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(HalfFloats.fromHalf(back))).as("bits %04x", bits).isTrue();
      } else {
        assertThat(back & 0xffff).as("bits %04x", bits).isEqualTo(bits);
      }
    }
  }

  @Test
  void shouldRoundFp16TiesToEvenWhenBetweenTwoHalves() {
    // 1 + 2^-11 lies halfway between 1 (even mantissa) and 1 + 2^-10: rounds down to 1.
    assertThat(HalfFloats.toHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
    // 1 + 3 * 2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9: rounds up.
    assertThat(HalfFloats.toHalf(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
    // Just above the halfway point rounds up.
    assertThat(HalfFloats.toHalf(Math.nextUp(1f + 0x1p-11f))).isEqualTo((short) 0x3c01);
  }

  @Test
  void shouldSaturateToInfinityWhenTooLargeForFp16() {
    assertThat(HalfFloats.toHalf(65504f)).isEqualTo((short) 0x7bff);
    assertThat(HalfFloats.toHalf(65520f)).isEqualTo((short) 0x7c00);
    assertThat(HalfFloats.toHalf(-1e10f)).isEqualTo((short) 0xfc00);
  }

  @Test
  void shouldKeepSubnormalsAndFlushBelowHalfTheSmallestWhenTiny() {
    assertThat(HalfFloats.toHalf(0x1p-24f)).isEqualTo((short) 0x0001);
    assertThat(HalfFloats.toHalf(0x1p-25f)).isEqualTo((short) 0x0000);
    assertThat(HalfFloats.toHalf(Math.nextUp(0x1p-25f))).isEqualTo((short) 0x0001);
    assertThat(HalfFloats.toHalf(-0f)).isEqualTo((short) 0x8000);
    assertThat(HalfFloats.fromHalf((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f);
  }

  @Test
  void shouldRoundBf16TiesToEvenWhenNarrowing() {
    assertThat(HalfFloats.toBf16(1f)).isEqualTo((short) 0x3f80);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1).
    assertThat(HalfFloats.toBf16(1f + 0x1p-8f)).isEqualTo((short) 0x3f80);
    assertThat(HalfFloats.toBf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
    assertThat(HalfFloats.toBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7f80);
    assertThat(HalfFloats.fromBf16((short) 0xc040)).isEqualTo(-3f);
  }

  @Test
  void shouldKeepNanWhenNarrowingNanToBf16() {
    float nan = Float.intBitsToFloat(0x7f800001);
    assertThat(Float.isNaN(HalfFloats.fromBf16(HalfFloats.toBf16(nan)))).isTrue();
    assertThat(Float.isNaN(HalfFloats.fromHalf(HalfFloats.toHalf(nan)))).isTrue();
  }
}
