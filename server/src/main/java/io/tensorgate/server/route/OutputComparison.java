package io.tensorgate.server.route;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import io.tensorgate.server.observe.TensorValues;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Compares a shadow's outputs with the primary's, output by output (matched by name): exact bytes,
 * the largest absolute and relative element differences, and the argmax of each row of
 * classifier-shaped outputs (floating point, last dimension of at least 2).
 */
final class OutputComparison {
  private OutputComparison() {}

  /**
   * @param exact every output byte-identical
   * @param mismatch an element beyond the tolerance, or outputs of different name, type or shape
   * @param maxAbs the largest |primary - shadow| over numeric elements
   * @param maxRel the largest |primary - shadow| / max(|primary|, |shadow|)
   * @param top1Rows classifier rows compared by argmax
   * @param top1Agree rows whose argmax agreed
   */
  record Result(
      boolean exact, boolean mismatch, double maxAbs, double maxRel, int top1Rows, int top1Agree) {}

  static Result compare(List<Tensor> primary, List<Tensor> shadow, double absTol, double relTol) {
    boolean exact = true;
    boolean mismatch = false;
    double maxAbs = 0;
    double maxRel = 0;
    int rows = 0;
    int agree = 0;
    for (Tensor p : primary) {
      Tensor s = find(shadow, p.name());
      if (s == null
          || s.dataType() != p.dataType()
          || !Arrays.equals(s.shape(), p.shape())
          || s.byteSize() != p.byteSize()) {
        exact = false;
        mismatch = true;
        continue;
      }
      ByteBuffer pb = p.data();
      ByteBuffer sb = s.data();
      if (pb.equals(sb)) {
        continue;
      }
      exact = false;
      DataType t = p.dataType();
      if (!t.isFixedSize()) {
        mismatch = true; // BYTES: compared exactly
        continue;
      }
      int n = pb.remaining() / t.byteSize();
      // Slices: TensorValues reads element i at absolute index i * size.
      ByteBuffer pa = pb.slice().order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer sa = sb.slice().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        double a = TensorValues.number(pa, t, i);
        double b = TensorValues.number(sa, t, i);
        double d = difference(a, b);
        if (d == 0) {
          continue;
        }
        maxAbs = Math.max(maxAbs, d);
        // An infinite difference (NaN or infinity on one side only) is beyond any tolerance, even
        // one relative to an infinite primary value.
        boolean infinite = Double.isInfinite(d);
        maxRel = Math.max(maxRel, infinite ? d : d / Math.max(Math.abs(a), Math.abs(b)));
        if (infinite || d > absTol + relTol * Math.abs(a)) {
          mismatch = true;
        }
      }
    }
    for (Tensor p : primary) {
      Tensor s = find(shadow, p.name());
      if (s != null && classifierShaped(p) && Arrays.equals(s.shape(), p.shape())) {
        long[] shape = p.shape();
        int classes = (int) shape[shape.length - 1];
        int n = (int) (p.elementCount() / classes);
        for (int r = 0; r < n; r++) {
          rows++;
          if (argmax(p, r, classes) == argmax(s, r, classes)) {
            agree++;
          }
        }
      }
    }
    return new Result(exact, mismatch, maxAbs, maxRel, rows, agree);
  }

  /** |a - b|; 0 for the same infinity or two NaNs, infinite for NaN or infinity on one side. */
  private static double difference(double a, double b) {
    if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
      return 0;
    }
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.abs(a - b);
  }

  private static boolean classifierShaped(Tensor t) {
    DataType d = t.dataType();
    long[] shape = t.shape();
    return (d == DataType.FP32 || d == DataType.FP64 || d == DataType.FP16 || d == DataType.BF16)
        && shape.length >= 1
        && shape[shape.length - 1] >= 2;
  }

  private static int argmax(Tensor t, int row, int classes) {
    ByteBuffer b = t.data().slice().order(ByteOrder.LITTLE_ENDIAN);
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      double v = TensorValues.number(b, t.dataType(), row * classes + c);
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    return best;
  }

  private static Tensor find(List<Tensor> outputs, String name) {
    for (Tensor t : outputs) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** A heap copy of tensors whose buffers are only valid during a callback. */
  static List<Tensor> copy(List<Tensor> outputs) {
    Tensor[] out = new Tensor[outputs.size()];
    for (int i = 0; i < out.length; i++) {
      Tensor t = outputs.get(i);
      ByteBuffer c = ByteBuffer.allocate(t.data().remaining());
      c.put(t.data().duplicate()).flip();
      out[i] = new Tensor(t.name(), t.dataType(), t.shape().clone(), c);
    }
    return List.of(out);
  }
}
