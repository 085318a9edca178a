package io.tensorgate.client;

import java.util.Arrays;

/** Shape arithmetic and message helpers shared by tensors. */
final class Shapes {
  private static final int MAX_ECHO = 64;

  private Shapes() {}

  /**
   * The element count of a shape.
   *
   * @throws IllegalArgumentException for a negative dimension or a count past {@code
   *     Integer.MAX_VALUE} (a Java array holds no more)
   */
  static int elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has a negative dimension");
      }
      n = Math.multiplyExact(n, d);
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
      }
    }
    return (int) n;
  }

  /** Checks that {@code length} values fill {@code shape} exactly. */
  static void checkFits(String name, int length, long[] shape) {
    int n = elementCount(shape);
    if (n != length) {
      throw new IllegalArgumentException(
          "tensor '"
              + clip(name)
              + "': "
              + length
              + " values do not fill shape "
              + Arrays.toString(shape)
              + " ("
              + n
              + " elements)");
    }
  }

  /** A string cut to a length fit for an error message. */
  static String clip(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= MAX_ECHO ? s : s.substring(0, MAX_ECHO) + "...";
  }
}
