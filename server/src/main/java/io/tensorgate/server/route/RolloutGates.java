package io.tensorgate.server.route;

import io.tensorgate.proto.admin.v1.RolloutPolicy;
import java.util.Locale;

/**
 * A rollout policy's SLO gates, judged from the numbers the rollout controller hands over: the
 * canary's and the stable version's windows and the shadow comparisons of the current step.
 */
final class RolloutGates {
  /** Canary requests a window needs before any gate judges ({@code min_gate_requests} unset). */
  static final long DEFAULT_MIN_GATE_REQUESTS = 10;

  /** How far above the stable p99 the canary's must also be ({@code min_p99_delta_ms} 0). */
  static final double DEFAULT_MIN_P99_DELTA_MS = 5;

  /** Canary requests over the p99 limit a breach needs ({@code min_slow_requests} unset). */
  static final long DEFAULT_MIN_SLOW_REQUESTS = 5;

  private RolloutGates() {}

  /**
   * Why the gates fail now, or {@code null}.
   *
   * @param canary the canary's window, or {@code null} when it recorded nothing
   * @param stable the stable version's window, or {@code null}
   * @param comparisons shadow comparisons of stable against the canary since the step began
   * @param mismatches the mismatching ones among them
   */
  static String breach(
      RolloutPolicy p,
      SlidingWindow.Snapshot canary,
      SlidingWindow.Snapshot stable,
      long comparisons,
      long mismatches) {
    long minGate = minGateRequests(p);
    if (canary != null && atLeast(canary.count(), minGate)) {
      if (p.getMaxErrorRate() > 0 && canary.errorRate() > p.getMaxErrorRate()) {
        return String.format(
            Locale.ROOT,
            "error rate %.3f over %d requests exceeds %.3f",
            canary.errorRate(),
            canary.count(),
            p.getMaxErrorRate());
      }
      if (p.getMaxP99Ratio() > 0 && stable != null && atLeast(stable.count(), minGate)) {
        String slow = p99Breach(p, canary, stable);
        if (slow != null) {
          return slow;
        }
      }
    }
    if (p.getMaxMismatchRate() > 0
        && atLeast(comparisons, minGate)
        && (double) mismatches / comparisons > p.getMaxMismatchRate()) {
      return String.format(
          Locale.ROOT,
          "shadow mismatch rate %.3f over %d comparisons exceeds %.3f",
          (double) mismatches / comparisons,
          comparisons,
          p.getMaxMismatchRate());
    }
    return null;
  }

  /**
   * The latency gate: the canary's p99 must exceed {@code max_p99_ratio} times the stable p99 and
   * the stable p99 plus {@code min_p99_delta_ms}, with at least {@code min_slow_requests} canary
   * requests over that limit, so that neither noise on a fast model nor a handful of slow requests
   * in a small window rolls a healthy canary back.
   */
  private static String p99Breach(
      RolloutPolicy p, SlidingWindow.Snapshot canary, SlidingWindow.Snapshot stable) {
    long stableP99 = stable.p99Nanos();
    long floorNanos = (long) (minP99DeltaMs(p) * 1e6);
    long limit = Math.max((long) (p.getMaxP99Ratio() * stableP99), stableP99 + floorNanos);
    long canaryP99 = canary.p99Nanos();
    if (canaryP99 <= limit) {
      return null;
    }
    long slow = canary.slowerThan(limit);
    if (!atLeast(slow, minSlowRequests(p))) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "p99 %.2f ms is over %.2f x the stable version's %.2f ms and %.2f ms above it"
            + " (%d of %d requests slower than %.2f ms)",
        canaryP99 / 1e6,
        p.getMaxP99Ratio(),
        stableP99 / 1e6,
        minP99DeltaMs(p),
        slow,
        canary.count(),
        limit / 1e6);
  }

  /** {@code count >= min}, with {@code min} a uint64 from the policy. */
  private static boolean atLeast(long count, long min) {
    return Long.compareUnsigned(count, min) >= 0;
  }

  static long minGateRequests(RolloutPolicy p) {
    return p.getMinGateRequests() != 0 ? p.getMinGateRequests() : DEFAULT_MIN_GATE_REQUESTS;
  }

  static double minP99DeltaMs(RolloutPolicy p) {
    return p.getMinP99DeltaMs() > 0 ? p.getMinP99DeltaMs() : DEFAULT_MIN_P99_DELTA_MS;
  }

  static long minSlowRequests(RolloutPolicy p) {
    return p.getMinSlowRequests() != 0 ? p.getMinSlowRequests() : DEFAULT_MIN_SLOW_REQUESTS;
  }
}
