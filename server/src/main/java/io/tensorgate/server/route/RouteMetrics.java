package io.tensorgate.server.route;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routing feature's meters on the server's registry, created once per label set and cached:
 * routes hold their counters, so nothing is looked up or allocated per request.
 */
final class RouteMetrics {
  /** The {@code reason}s of {@code tensorgate_shadow_dropped_total}. */
  static final String QUEUE_FULL = "queue_full";

  static final String SHADOW_BUSY = "shadow_busy";
  static final String SHADOW_QUEUE_FULL = "shadow_queue_full";
  static final String SHADOW_UNAVAILABLE = "shadow_unavailable";
  static final List<String> DROP_REASONS =
      List.of(QUEUE_FULL, SHADOW_BUSY, SHADOW_QUEUE_FULL, SHADOW_UNAVAILABLE);

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  RouteMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Registers at zero every series a shadow counts into, so that dashboards and alerts read 0
   * rather than nothing before the first mirror or drop.
   *
   * @param primaries the versions whose answers will be mirrored and compared
   */
  void registerShadow(String model, String shadowVersion, Collection<Long> primaries) {
    shadowRequests(model, shadowVersion);
    for (String reason : DROP_REASONS) {
      shadowDropped(model, reason);
    }
    for (long p : primaries) {
      comparisons(model, p, shadowVersion);
      mismatches(model, p, shadowVersion);
    }
  }

  /** {@code tensorgate_canary_requests_total{model, version}}: requests a split sent there. */
  Counter canaryRequests(String model, long version) {
    return counter(
        "tensorgate.canary.requests",
        "Requests the canary split sent to a version",
        "model",
        model,
        "version",
        Long.toString(version));
  }

  /** {@code tensorgate_shadow_requests_total{model, version}}: mirrors sent to a shadow. */
  Counter shadowRequests(String model, String shadowVersion) {
    return counter(
        "tensorgate.shadow.requests",
        "Requests mirrored to a shadow version",
        "model",
        model,
        "version",
        shadowVersion);
  }

  /** {@code tensorgate_shadow_dropped_total{model, reason}}. */
  Counter shadowDropped(String model, String reason) {
    return counter(
        "tensorgate.shadow.dropped",
        "Mirrored requests dropped (queue full, shadow busy or failing)",
        "model",
        model,
        "reason",
        reason);
  }

  /** {@code tensorgate_divergence_comparisons_total{model, version, shadow_version}}. */
  Counter comparisons(String model, long primary, String shadow) {
    return counter(
        "tensorgate.divergence.comparisons",
        "Primary and shadow answers compared",
        "model",
        model,
        "version",
        Long.toString(primary),
        "shadow_version",
        shadow);
  }

  /** {@code tensorgate_divergence_mismatches_total{model, version, shadow_version}}. */
  Counter mismatches(String model, long primary, String shadow) {
    return counter(
        "tensorgate.divergence.mismatches",
        "Compared answers that differed beyond the tolerance",
        "model",
        model,
        "version",
        Long.toString(primary),
        "shadow_version",
        shadow);
  }

  private Counter counter(String name, String help, String... tags) {
    String key = name + '\0' + String.join("\0", tags);
    return counters.computeIfAbsent(
        key, k -> Counter.builder(name).description(help).tags(tags).register(registry));
  }
}
