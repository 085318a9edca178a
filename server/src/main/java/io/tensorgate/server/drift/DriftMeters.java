package io.tensorgate.server.drift;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The meters of one version's drift monitor: created once per version (and per monitored feature
 * when a reference is set), read from the monitor's published report, removed when the version
 * leaves service. Callers hold the monitor's lock for every method but the gauges' reads.
 */
final class DriftMeters {
  private final MeterRegistry registry;
  private final Tags tags;
  private final Supplier<VersionDrift.Report> report;
  final Counter sampled;
  final Counter dropped;
  private final List<Meter> versionMeters = new ArrayList<>();
  private final List<Meter> featureMeters = new ArrayList<>();

  DriftMeters(MeterRegistry registry, Tags tags, Supplier<VersionDrift.Report> report) {
    this.registry = registry;
    this.tags = tags;
    this.report = report;
    this.sampled =
        Counter.builder("tensorgate.drift.sampled")
            .description("Requests sampled for drift detection")
            .tags(tags)
            .register(registry);
    this.dropped =
        Counter.builder("tensorgate.drift.dropped")
            .description("Sampled requests dropped because the drift queue was full")
            .tags(tags)
            .register(registry);
    versionMeters.add(sampled);
    versionMeters.add(dropped);
  }

  /** Registers the live-window gauge; called once the monitor has published its first report. */
  void addWindowGauge() {
    versionMeters.add(
        Gauge.builder("tensorgate.drift.window.requests", report, r -> r.get().windowRequests())
            .description("Sampled requests in the live drift window")
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  /**
   * Registers the meters of monitored feature {@code i} (its index in the report's features).
   *
   * @return the feature's drift-event counter
   */
  Counter addFeature(int i, Feature feature) {
    Tags ft = tags.and("feature", feature.name());
    Counter events =
        Counter.builder("tensorgate.drift.events")
            .description("Times a feature's drift statistics crossed a threshold")
            .tags(ft)
            .register(registry);
    featureMeters.add(events);
    featureMeters.add(
        gauge(
            "tensorgate.drift.psi",
            "Population stability index, live window vs reference",
            ft,
            i,
            0));
    featureMeters.add(
        gauge(
            "tensorgate.drift.kl",
            "KL divergence of the live window from the reference",
            ft,
            i,
            1));
    if (!feature.categorical()) {
      featureMeters.add(
          gauge(
              "tensorgate.drift.ks",
              "Binned Kolmogorov-Smirnov statistic, live window vs reference",
              ft,
              i,
              2));
    }
    return events;
  }

  private Meter gauge(String name, String help, Tags t, int feature, int stat) {
    return Gauge.builder(name, this, m -> m.statistic(feature, stat))
        .description(help)
        .tags(t)
        .strongReference(true)
        .register(registry);
  }

  private double statistic(int feature, int stat) {
    List<VersionDrift.FeatureReport> f = report.get().features();
    if (feature >= f.size()) {
      return Double.NaN;
    }
    VersionDrift.FeatureReport r = f.get(feature);
    return stat == 0 ? r.psi() : stat == 1 ? r.kl() : r.ks();
  }

  /** Removes the per-feature meters (the reference is being replaced). */
  void removeFeatures() {
    featureMeters.forEach(registry::remove);
    featureMeters.clear();
  }

  /** Removes every meter; the version left service. */
  void close() {
    removeFeatures();
    versionMeters.forEach(registry::remove);
    versionMeters.clear();
  }
}
