package io.tensorgate.server.drift;

/**
 * Distances between a live histogram and a reference one over the same bins. Empty bins are floored
 * at {@link #FLOOR} so that a bin the reference never saw gives a large, finite value.
 */
final class DriftMath {
  static final double FLOOR = 1e-4;

  private DriftMath() {}

  /** Population stability index: sum of (a - e) * ln(a / e). */
  static double psi(double[] actual, double[] expected) {
    double s = 0;
    for (int i = 0; i < actual.length; i++) {
      double a = Math.max(actual[i], FLOOR);
      double e = Math.max(expected[i], FLOOR);
      s += (a - e) * Math.log(a / e);
    }
    return s;
  }

  /** Kullback-Leibler divergence KL(actual || expected), natural log. */
  static double kl(double[] actual, double[] expected) {
    double s = 0;
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] <= 0) {
        continue;
      }
      s += actual[i] * Math.log(actual[i] / Math.max(expected[i], FLOOR));
    }
    return Math.max(0, s);
  }

  /**
   * Kolmogorov-Smirnov statistic on ordered bins: the largest gap between the two cumulative
   * distributions at the bin edges (a lower bound of the exact KS statistic of the raw values).
   */
  static double ks(double[] actual, double[] expected) {
    double ca = 0;
    double ce = 0;
    double d = 0;
    for (int i = 0; i < actual.length; i++) {
      ca += actual[i];
      ce += expected[i];
      d = Math.max(d, Math.abs(ca - ce));
    }
    return d;
  }

  /** Counts as proportions (all zero when the total is). */
  static double[] proportions(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] p = new double[counts.length];
    if (total == 0) {
      return p;
    }
    for (int i = 0; i < counts.length; i++) {
      p[i] = (double) counts[i] / total;
    }
    return p;
  }
}
