package io.tensorgate.server.http;

/**
 * IEEE 754 half precision and bfloat16 from float, rounding to nearest even (Float.floatToFloat16
 * needs Java 20). The other direction is {@code observe.TensorValues.number}.
 */
final class Float16 {
  private Float16() {}

  /** The half-precision bits of {@code f} in the low 16 bits. */
  static int fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      // Infinity stays infinity; NaN keeps a set mantissa bit.
      return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0);
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return sign | 0x7c00;
    }
    if (e <= 0) {
      if (e < -10) {
        return sign;
      }
      // Subnormal: shift the mantissa (with its implicit 1) into place, rounding to nearest even.
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1) != 0)) {
        half++;
      }
      return sign | half;
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      // May carry into the exponent, up to infinity: that is the correct rounding.
      half++;
    }
    return sign | half;
  }

  /** The bfloat16 bits of {@code f} in the low 16 bits. */
  static int bf16FromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (bits >>> 16) | 0x40;
    }
    return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  }
}
