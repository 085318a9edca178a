package io.tensorgate.server.route;

import io.micrometer.core.instrument.Counter;
import io.tensorgate.proto.admin.v1.ModelRouting;
import java.util.Map;
import java.util.Objects;

/**
 * One model's routing, compiled from its validated {@link ModelRouting} for the request path:
 * immutable, with its split and counters ready, so routing a request allocates nothing.
 */
final class ModelRoute {
  final String model;
  final ModelRouting config;
  final Map<String, Long> labels;
  final long stable;
  final long canary;
  // Changes whenever the canary does (to another version, or away and back): one rollout's id.
  final long canaryEpoch;
  // null when the default route is not split.
  final WeightedCanarySplit split;
  final Counter stableCounter;
  final Counter canaryCounter;
  final ShadowTarget shadow;

  /** Where mirrored requests go; null fields mean no shadow. */
  record ShadowTarget(
      String model,
      long version,
      String versionString,
      double fraction,
      double absTolerance,
      double relTolerance) {}

  ModelRoute(String model, ModelRouting config, long canaryEpoch, RouteMetrics metrics) {
    this.model = Objects.requireNonNull(model, "model");
    this.canaryEpoch = canaryEpoch;
    this.config = Objects.requireNonNull(config, "config");
    this.labels = Map.copyOf(config.getLabelsMap());
    this.stable = config.getStableVersion();
    long c = config.getCanary().getVersion();
    double w = config.getCanary().getWeightPercent();
    this.canary = c;
    this.split = c > 0 ? new WeightedCanarySplit(w, model) : null;
    this.canaryCounter = c > 0 ? metrics.canaryRequests(model, c) : null;
    this.stableCounter = c > 0 && stable > 0 ? metrics.canaryRequests(model, stable) : null;
    var s = config.getShadow();
    this.shadow =
        s.getVersion() > 0 && s.getFraction() > 0
            ? new ShadowTarget(
                s.getModelName().isEmpty() ? model : s.getModelName(),
                s.getVersion(),
                Long.toString(s.getVersion()),
                s.getFraction(),
                s.getAbsTolerance(),
                s.getRelTolerance())
            : null;
  }

  /** Whether a rollout policy drives the canary's weight. */
  boolean rolloutActive() {
    return canary > 0 && config.hasRollout() && config.getRollout().getStepsPercentCount() > 0;
  }
}
