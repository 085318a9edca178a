package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.Shapes;
import java.util.Objects;

/**
 * The shapes one optimization profile accepts for one input: every dimension between {@code min}
 * and {@code max} (TensorRT's {@code kMIN} and {@code kMAX}); {@code opt} is the shape the engine
 * was tuned for. Immutable; the arrays are copied in and never handed out.
 */
final class ShapeRange {
  private final long[] min;
  private final long[] opt;
  private final long[] max;

  ShapeRange(long[] min, long[] opt, long[] max) {
    this.min = Objects.requireNonNull(min, "min").clone();
    this.opt = Objects.requireNonNull(opt, "opt").clone();
    this.max = Objects.requireNonNull(max, "max").clone();
    if (min.length != opt.length || min.length != max.length) {
      throw new IllegalArgumentException("profile shapes differ in rank: " + this);
    }
  }

  /** Whether {@code shape} has the same rank and each dimension lies in {@code [min, max]}. */
  boolean contains(long[] shape) {
    if (shape.length != min.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < min[i] || shape[i] > max[i]) {
        return false;
      }
    }
    return true;
  }

  long minDim(int i) {
    return min[i];
  }

  long maxDim(int i) {
    return max[i];
  }

  int rank() {
    return min.length;
  }

  /** A copy of the smallest shape. */
  long[] min() {
    return min.clone();
  }

  /** A copy of the shape the engine is tuned for. */
  long[] opt() {
    return opt.clone();
  }

  /** A copy of the largest shape. */
  long[] max() {
    return max.clone();
  }

  @Override
  public String toString() {
    return Shapes.toString(min)
        + ".."
        + Shapes.toString(max)
        + " (opt "
        + Shapes.toString(opt)
        + ")";
  }
}
