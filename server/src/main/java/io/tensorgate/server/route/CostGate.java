package io.tensorgate.server.route;

import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.server.stats.ExecutionCost;
import java.util.Locale;

/**
 * The rollout gate {@code max_cost_ratio}: the canary's cost per inference over the stable
 * version's, both over the last minute, judged once each served {@code min_gate_requests}
 * inferences in it.
 */
final class CostGate {
  private CostGate() {}

  /**
   * Why the canary costs too much, or {@code null}.
   *
   * @param canary the canary's cost window, or {@code null}
   * @param stable the stable version's, or {@code null}
   */
  static String breach(
      RolloutPolicy p,
      long minGateRequests,
      ExecutionCost.Window canary,
      ExecutionCost.Window stable,
      VersionCosts costs) {
    if (p.getMaxCostRatio() <= 0
        || canary == null
        || stable == null
        || canary.inferences() < minGateRequests
        || stable.inferences() < minGateRequests) {
      return null;
    }
    double ratio = costs.ratio(canary, stable);
    if (!(ratio > p.getMaxCostRatio())) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "cost per 1000 inferences is %.2f x the stable version's (over %d and %d inferences),"
            + " above %.2f",
        ratio,
        canary.inferences(),
        stable.inferences(),
        p.getMaxCostRatio());
  }
}
