package io.tensorgate.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.stats.ModelStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Triton's per-model gauges and Tensorgate's {@code tensorgate_inference_batch_size}, read from the
 * bound versions at scrape time. Triton's counters are written by {@link TritonCounters}.
 *
 * <p>{@code tensorgate_inference_batch_size} is a histogram of executed batch sizes built from the
 * per-batch-size execution counts ModelStats already keeps (no work on the hot path).
 *
 * <p>Thread-safe: versions are bound and unbound by the registry's listener thread, scrapes run on
 * the metrics HTTP thread.
 */
final class TritonCollector implements MultiCollector {
  static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final TritonVersions versions;

  TritonCollector(TritonVersions versions) {
    this.versions = Objects.requireNonNull(versions, "versions");
  }

  @Override
  public MetricSnapshots collect() {
    List<Map.Entry<LoadedVersion, Labels>> bound = new ArrayList<>();
    for (LoadedVersion v : versions.sorted()) {
      bound.add(Map.entry(v, Labels.of("model", v.name(), "version", v.versionString())));
    }
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    out.metricSnapshot(
        gauge(
            bound,
            "nv_inference_pending_request_count",
            "Instantaneous number of pending requests awaiting execution per-model.",
            v -> v.scheduler().queueDepth()));
    out.metricSnapshot(
        gauge(
            bound,
            "nv_model_load_duration_secs",
            "Model load time in seconds",
            v -> v.stats().loadDurationNanos() / 1e9));
    out.metricSnapshot(batchSizes(bound));
    return out.build();
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(
        "nv_inference_pending_request_count",
        "nv_model_load_duration_secs",
        "tensorgate_inference_batch_size");
  }

  private static GaugeSnapshot gauge(
      List<Map.Entry<LoadedVersion, Labels>> bound,
      String name,
      String help,
      ToDoubleFunction<LoadedVersion> value) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    for (Map.Entry<LoadedVersion, Labels> e : bound) {
      b.dataPoint(
          GaugeDataPointSnapshot.builder()
              .labels(e.getValue())
              .value(value.applyAsDouble(e.getKey()))
              .build());
    }
    return b.build();
  }

  private static HistogramSnapshot batchSizes(List<Map.Entry<LoadedVersion, Labels>> bound) {
    HistogramSnapshot.Builder b =
        HistogramSnapshot.builder()
            .name("tensorgate_inference_batch_size")
            .help("Size of each executed batch (one observation per model execution)");
    double[] bounds = new double[BATCH_SIZE_BUCKETS.length + 1];
    System.arraycopy(BATCH_SIZE_BUCKETS, 0, bounds, 0, BATCH_SIZE_BUCKETS.length);
    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    for (Map.Entry<LoadedVersion, Labels> e : bound) {
      long[] counts = new long[bounds.length];
      double sum = 0;
      for (Map.Entry<Integer, ModelStats.BatchDurations> batch :
          e.getKey().stats().batches().entrySet()) {
        int size = batch.getKey();
        long executions = batch.getValue().computeInfer().count();
        counts[bucketOf(bounds, size)] += executions;
        sum += (double) size * executions;
      }
      b.dataPoint(
          HistogramDataPointSnapshot.builder()
              .labels(e.getValue())
              .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
              .sum(sum)
              .build());
    }
    return b.build();
  }

  private static int bucketOf(double[] bounds, int value) {
    for (int i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        return i;
      }
    }
    return bounds.length - 1;
  }
}
