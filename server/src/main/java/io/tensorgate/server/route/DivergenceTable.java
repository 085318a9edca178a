package io.tensorgate.server.route;

import io.tensorgate.server.repository.LoadedVersion;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The divergence entries: exactly one per (primary version, shadow model, shadow version), whatever
 * fractions and tolerances the shadow had over time. An entry is judged under one setting of the
 * tolerances; {@link #retune} restarts the entries a new setting makes incomparable. Shadow threads
 * create and update entries, the routing lock's holder retunes them, the admin API reads them.
 */
final class DivergenceTable {
  /** Where mirrors go: a model and one of its versions. */
  record ShadowKey(String model, long version) {
    static ShadowKey of(ModelRoute.ShadowTarget t) {
      return new ShadowKey(t.model(), t.version());
    }

    String versionString() {
      return Long.toString(version);
    }
  }

  private final RoutingRouter router;
  private final RouteMetrics metrics;
  private final Clock clock;
  private final ConcurrentHashMap<LoadedVersion, ConcurrentHashMap<ShadowKey, DivergenceStats>>
      entries = new ConcurrentHashMap<>();

  DivergenceTable(RoutingRouter router, RouteMetrics metrics, Clock clock) {
    this.router = Objects.requireNonNull(router, "router");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The entry a mirror from {@code primary} to {@code target} records into. Comparisons use the
   * entry's own tolerances, so a mirror started just before a change never mixes settings.
   */
  DivergenceStats entry(LoadedVersion primary, ModelRoute.ShadowTarget target) {
    ShadowKey key = ShadowKey.of(target);
    ConcurrentHashMap<ShadowKey, DivergenceStats> byShadow =
        entries.computeIfAbsent(primary, v -> new ConcurrentHashMap<>());
    DivergenceStats d = byShadow.get(key);
    if (d != null) {
      return d;
    }
    // Created from the route in force now, under the bin's lock: a retune that ran before this
    // saw no entry, and the route it installed is the one read here.
    return byShadow.computeIfAbsent(
        key, k -> newEntry(primary, k, current(primary.name(), k, target)));
  }

  /**
   * Restarts the entries of {@code model}'s primary versions against the target's shadow that were
   * judged under other tolerances. Called after the route with {@code target} is installed.
   *
   * @return the primary versions whose entry restarted
   */
  List<Long> retune(String model, ModelRoute.ShadowTarget target) {
    ShadowKey key = ShadowKey.of(target);
    List<Long> restarted = new ArrayList<>();
    entries.forEach(
        (primary, byShadow) -> {
          if (!primary.name().equals(model)) {
            return;
          }
          byShadow.computeIfPresent(
              key,
              (k, old) -> {
                if (old.measuredUnder(target)) {
                  return old;
                }
                restarted.add(primary.version());
                return newEntry(primary, k, target);
              });
        });
    restarted.sort(Comparator.naturalOrder());
    return restarted;
  }

  /** The entry of one pair, or {@code null} when nothing was mirrored for it yet. */
  DivergenceStats get(String model, long primaryVersion, ShadowKey key) {
    for (var e : entries.entrySet()) {
      if (e.getKey().name().equals(model) && e.getKey().version() == primaryVersion) {
        return e.getValue().get(key);
      }
    }
    return null;
  }

  /** The model's entries, by primary version, then shadow model and version. */
  List<DivergenceStats> forModel(String model) {
    List<DivergenceStats> out = new ArrayList<>();
    entries.forEach(
        (v, byShadow) -> {
          if (v.name().equals(model)) {
            out.addAll(byShadow.values());
          }
        });
    out.sort(
        Comparator.comparingLong((DivergenceStats d) -> d.primaryVersion)
            .thenComparing(d -> d.shadow.model())
            .thenComparingLong(d -> d.shadow.version()));
    return out;
  }

  /** Forgets a version that left service (its comparisons as primary). */
  void forget(LoadedVersion primary) {
    entries.remove(primary);
  }

  private ModelRoute.ShadowTarget current(
      String model, ShadowKey key, ModelRoute.ShadowTarget fallback) {
    ModelRoute r = router.get(model);
    return r != null && r.shadow != null && ShadowKey.of(r.shadow).equals(key)
        ? r.shadow
        : fallback;
  }

  private DivergenceStats newEntry(
      LoadedVersion primary, ShadowKey key, ModelRoute.ShadowTarget tolerances) {
    return new DivergenceStats(
        primary.name(),
        primary.version(),
        key,
        tolerances.absTolerance(),
        tolerances.relTolerance(),
        clock.millis(),
        metrics);
  }
}
