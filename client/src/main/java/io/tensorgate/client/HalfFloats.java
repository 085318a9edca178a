package io.tensorgate.client;

/**
 * FP16 and BF16 conversions, rounding to nearest even as IEEE 754 does (Java 17 has no {@code
 * Float.floatToFloat16}).
 */
final class HalfFloats {
  private HalfFloats() {}

  /** The FP16 bits nearest to {@code f}; NaN stays a (quiet) NaN, overflow becomes infinity. */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      // Subnormal half: the 24-bit significand shifted into units of 2^-24.
      int significand = mant | 0x800000;
      int shift = 14 - e;
      return (short) (sign | roundShift(significand, shift));
    }
    // A carry out of the mantissa correctly bumps the exponent (up to infinity).
    return (short) (sign | (roundShift((e << 23) | mant, 13)));
  }

  /** The float an FP16 value stands for (exactly: every FP16 is a float). */
  static float fromHalf(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** The BF16 bits nearest to {@code f}; NaN stays a (quiet) NaN. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff) != 0) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) roundShift(bits, 16);
  }

  /** The float a BF16 value stands for. */
  static float fromBf16(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /** {@code value >>> shift}, rounded to nearest, ties to even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rest > half || (rest == half && (kept & 1) != 0)) {
      kept++;
    }
    return kept;
  }
}
