package io.tensorgate.server.cost;

import io.tensorgate.server.stats.ExecutionCost;

/**
 * What compute costs ({@code --cost-per-core-hour}, {@code --cost-per-gpu-hour}), and the cost of a
 * thousand inferences at those prices. Immutable.
 */
public record CostPrices(double perCoreHour, double perGpuHour) {
  /** No prices: nothing is priced. */
  public static final CostPrices NONE = new CostPrices(0, 0);

  private static final double NANOS_PER_HOUR = 3600e9;

  public CostPrices {
    if (!(perCoreHour >= 0) || !(perGpuHour >= 0)) {
      throw new IllegalArgumentException("prices must be 0 or more");
    }
  }

  /** Whether any price is set. */
  public boolean priced() {
    return perCoreHour > 0 || perGpuHour > 0;
  }

  /**
   * These prices, or, when none is set, 1 per core-hour and 1 per GPU-hour: what a cost ratio
   * compares when no price is given (compute time).
   */
  public CostPrices orUnit() {
    return priced() ? this : new CostPrices(1, 1);
  }

  /** The cost of 1000 inferences in the window; NaN when it holds none. */
  public double per1k(ExecutionCost.Window w) {
    if (w.inferences() == 0) {
      return Double.NaN;
    }
    double cost =
        w.cpuNanos() / NANOS_PER_HOUR * perCoreHour + w.deviceNanos() / NANOS_PER_HOUR * perGpuHour;
    return cost / w.inferences() * 1000;
  }

  /** CPU seconds per 1000 inferences in the window; NaN when it holds none. */
  public static double cpuSecondsPer1k(ExecutionCost.Window w) {
    return w.inferences() == 0 ? Double.NaN : w.cpuNanos() / 1e9 / w.inferences() * 1000;
  }

  /** GPU seconds per 1000 inferences in the window; NaN when it holds none. */
  public static double gpuSecondsPer1k(ExecutionCost.Window w) {
    return w.inferences() == 0 ? Double.NaN : w.deviceNanos() / 1e9 / w.inferences() * 1000;
  }
}
