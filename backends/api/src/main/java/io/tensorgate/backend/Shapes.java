package io.tensorgate.backend;

import java.util.Arrays;

/** Arithmetic on tensor shapes, checked for overflow before anything is allocated from them. */
public final class Shapes {
  private Shapes() {}

  /**
   * The number of elements of a fully specified shape.
   *
   * @throws ArithmeticException when a dimension is negative or the product overflows a long
   */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new ArithmeticException("negative dimension " + d + " in shape " + toString(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    return count;
  }

  /**
   * The byte size of a fixed-size tensor of this shape and type.
   *
   * @throws ArithmeticException on overflow or a negative dimension
   * @throws IllegalArgumentException for {@link DataType#BYTES}, whose size depends on its data
   */
  public static long byteSize(DataType type, long[] shape) {
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException("BYTES tensors have no size fixed by their shape");
    }
    return Math.multiplyExact(elementCount(shape), type.byteSize());
  }

  /** Whether {@code shape} matches {@code pattern}, where -1 in the pattern matches any size. */
  public static boolean matches(long[] pattern, long[] shape) {
    if (pattern.length != shape.length) {
      return false;
    }
    for (int i = 0; i < pattern.length; i++) {
      if (pattern[i] != -1 && pattern[i] != shape[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code shape} with {@code first} put in front, e.g. the batch dimension. */
  public static long[] prepend(long first, long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = first;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  /** The most dimensions {@link #toString} writes out; the rest are counted. */
  public static final int MAX_FORMATTED_DIMS = 16;

  /**
   * Formats a shape as Triton does in messages: {@code [-1,16]}. A shape of more than {@value
   * #MAX_FORMATTED_DIMS} dimensions (only a client's can be) shows its first ones and the count, so
   * that a message echoing it stays short: {@code [1,1,...,1,... (1000000 dims)]}.
   */
  public static String toString(long[] shape) {
    int shown = Math.min(shape.length, MAX_FORMATTED_DIMS);
    StringBuilder sb = new StringBuilder(24 + shown * 3).append('[');
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(shape[i]);
    }
    if (shown < shape.length) {
      sb.append(",... (").append(shape.length).append(" dims)");
    }
    return sb.append(']').toString();
  }

  /** Whether two shapes are equal, element by element. */
  public static boolean equal(long[] a, long[] b) {
    return Arrays.equals(a, b);
  }
}
