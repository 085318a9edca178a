package io.tensorgate.server.drift;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How one feature's values fall into bins, and the reference proportions of those bins. Immutable.
 */
abstract sealed class Bins permits Bins.Numeric, Bins.Categorical {
  final double[] reference;

  Bins(double[] reference) {
    this.reference = reference;
  }

  int size() {
    return reference.length;
  }

  /**
   * Numeric bins: k strictly increasing edges make k + 1 bins, (-inf, e0), [e0, e1), ..., [ek-1,
   * inf).
   */
  static final class Numeric extends Bins {
    final double[] edges;

    Numeric(double[] edges, double[] reference) {
      super(reference);
      if (edges.length == 0 || reference.length != edges.length + 1) {
        throw new IllegalArgumentException(
            "expected "
                + (edges.length + 1)
                + " counts for "
                + edges.length
                + " edges, got "
                + reference.length);
      }
      for (int i = 0; i < edges.length; i++) {
        if (!Double.isFinite(edges[i]) || (i > 0 && edges[i] <= edges[i - 1])) {
          throw new IllegalArgumentException("edges must be finite and strictly increasing");
        }
      }
      this.edges = edges;
    }

    int bin(double v) {
      if (Double.isNaN(v)) {
        return edges.length;
      }
      int i = Arrays.binarySearch(edges, v);
      return i >= 0 ? i + 1 : -i - 1;
    }

    /**
     * Bins fitted to captured values: edges at the minimum, the quantiles 1/b .. (b-1)/b and just
     * above the maximum, so values outside the reference's range land in bins it left empty.
     */
    static Numeric capture(double[] values, int bins) {
      if (values.length == 0) {
        throw new IllegalArgumentException("no values captured");
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      double[] edges = new double[bins + 1];
      int n = 0;
      edges[n++] = sorted[0];
      for (int q = 1; q < bins; q++) {
        double e = sorted[(int) Math.min(sorted.length - 1, (long) q * sorted.length / bins)];
        if (e > edges[n - 1]) {
          edges[n++] = e;
        }
      }
      double top = Math.nextUp(sorted[sorted.length - 1]);
      if (top > edges[n - 1]) {
        edges[n++] = top;
      }
      double[] e = Arrays.copyOf(edges, n);
      long[] counts = new long[n + 1];
      Numeric shape = new Numeric(e, new double[n + 1]);
      for (double v : values) {
        counts[shape.bin(v)]++;
      }
      return new Numeric(e, DriftMath.proportions(counts));
    }
  }

  /** Categorical bins: the reference's categories, then one bin for every other value. */
  static final class Categorical extends Bins {
    static final String OTHER = "__other__";
    final Map<String, Integer> index;
    final List<String> categories;

    Categorical(List<String> categories, double[] reference) {
      super(reference);
      if (reference.length != categories.size() + 1) {
        throw new IllegalArgumentException("expected one count per category plus " + OTHER);
      }
      this.categories = List.copyOf(categories);
      Map<String, Integer> m = new HashMap<>();
      for (int i = 0; i < categories.size(); i++) {
        m.put(categories.get(i), i);
      }
      this.index = Map.copyOf(m);
    }

    int bin(String v) {
      Integer i = index.get(v);
      return i == null ? categories.size() : i;
    }

    /** The {@code keep} most frequent captured values become the categories. */
    static Categorical capture(List<String> values, int keep) {
      if (values.isEmpty()) {
        throw new IllegalArgumentException("no values captured");
      }
      Map<String, Long> freq = new HashMap<>();
      for (String v : values) {
        freq.merge(v, 1L, Long::sum);
      }
      List<String> top =
          freq.entrySet().stream()
              .sorted(
                  Map.Entry.<String, Long>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(keep)
              .map(Map.Entry::getKey)
              .toList();
      long[] counts = new long[top.size() + 1];
      Categorical shape = new Categorical(top, new double[top.size() + 1]);
      for (String v : values) {
        counts[shape.bin(v)]++;
      }
      return new Categorical(top, DriftMath.proportions(counts));
    }
  }
}
