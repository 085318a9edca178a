package io.tensorgate.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.stats.Duration;
import io.tensorgate.server.stats.ModelStats;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Triton's per-model metric families, read from each version's {@link ModelStats} at scrape time,
 * so /metrics and the ModelStatistics RPC always agree: nothing is counted twice.
 *
 * <p>Triton's counters are exposed under Triton's exact sample names ({@code
 * nv_inference_request_success}, not {@code ..._total}) because that is what Triton's dashboards
 * query. The Prometheus client behind Micrometer always appends {@code _total} to a counter, so
 * these families are typed {@code untyped}; PromQL's {@code rate()} treats them as counters.
 *
 * <p>Also exports {@code tensorgate_inference_batch_size}: a histogram of executed batch sizes
 * built from the per-batch-size execution counts ModelStats already keeps (no work on the hot
 * path).
 *
 * <p>Thread-safe: versions are bound and unbound by the registry's listener thread, scrapes run on
 * the metrics HTTP thread.
 */
final class TritonCollector implements MultiCollector {
  static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private static final String LATENCY_HELP_SUFFIX = " in microseconds";

  private final boolean counterLatencies;
  private final Map<LoadedVersion, Labels> versions = new ConcurrentHashMap<>();

  /**
   * @param counterLatencies whether to export the cumulative {@code *_duration_us} counters
   *     (Triton's {@code --metrics-config counter_latencies}); their names use an abbreviated unit
   *     that Prometheus' linter flags
   */
  TritonCollector(boolean counterLatencies) {
    this.counterLatencies = counterLatencies;
  }

  void bind(LoadedVersion v) {
    versions.put(v, Labels.of("model", v.name(), "version", v.versionString()));
  }

  void unbind(LoadedVersion v) {
    versions.remove(v);
  }

  @Override
  public MetricSnapshots collect() {
    List<Map.Entry<LoadedVersion, Labels>> bound = new ArrayList<>(versions.entrySet());
    bound.sort(
        Comparator.comparing((Map.Entry<LoadedVersion, Labels> e) -> e.getKey().name())
            .thenComparingLong(e -> e.getKey().version()));
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    out.metricSnapshot(
        counter(
            bound,
            "nv_inference_request_success",
            "Number of successful inference requests, all batch sizes",
            s -> s.success().count()));
    out.metricSnapshot(failures(bound));
    out.metricSnapshot(
        counter(
            bound,
            "nv_inference_count",
            "Number of inferences performed (does not include cached requests)",
            ModelStats::inferenceCount));
    out.metricSnapshot(
        counter(
            bound,
            "nv_inference_exec_count",
            "Number of model executions performed (does not include cached requests)",
            ModelStats::executionCount));
    if (counterLatencies) {
      out.metricSnapshot(
          micros(
              bound,
              "nv_inference_request_duration_us",
              "Cumulative inference request duration",
              ModelStats::success));
      out.metricSnapshot(
          micros(
              bound,
              "nv_inference_queue_duration_us",
              "Cumulative inference queuing duration",
              ModelStats::queue));
      out.metricSnapshot(
          micros(
              bound,
              "nv_inference_compute_input_duration_us",
              "Cumulative compute input duration",
              ModelStats::computeInput));
      out.metricSnapshot(
          micros(
              bound,
              "nv_inference_compute_infer_duration_us",
              "Cumulative compute inference duration",
              ModelStats::computeInfer));
      out.metricSnapshot(
          micros(
              bound,
              "nv_inference_compute_output_duration_us",
              "Cumulative inference compute output duration",
              ModelStats::computeOutput));
    }
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
    List<String> names = new ArrayList<>();
    names.add("nv_inference_request_success");
    names.add("nv_inference_request_failure");
    names.add("nv_inference_count");
    names.add("nv_inference_exec_count");
    if (counterLatencies) {
      names.add("nv_inference_request_duration_us");
      names.add("nv_inference_queue_duration_us");
      names.add("nv_inference_compute_input_duration_us");
      names.add("nv_inference_compute_infer_duration_us");
      names.add("nv_inference_compute_output_duration_us");
    }
    names.add("nv_inference_pending_request_count");
    names.add("nv_model_load_duration_secs");
    names.add("tensorgate_inference_batch_size");
    return names;
  }

  private static UnknownSnapshot counter(
      List<Map.Entry<LoadedVersion, Labels>> bound,
      String name,
      String help,
      ToDoubleFunction<ModelStats> value) {
    UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(help);
    for (Map.Entry<LoadedVersion, Labels> e : bound) {
      b.dataPoint(
          UnknownDataPointSnapshot.builder()
              .labels(e.getValue())
              .value(value.applyAsDouble(e.getKey().stats()))
              .build());
    }
    return b.build();
  }

  private static UnknownSnapshot micros(
      List<Map.Entry<LoadedVersion, Labels>> bound,
      String name,
      String help,
      java.util.function.Function<ModelStats, Duration> duration) {
    // Whole microseconds, as Triton reports them.
    return counter(bound, name, help + LATENCY_HELP_SUFFIX, s -> duration.apply(s).nanos() / 1000);
  }

  private static UnknownSnapshot failures(List<Map.Entry<LoadedVersion, Labels>> bound) {
    UnknownSnapshot.Builder b =
        UnknownSnapshot.builder()
            .name("nv_inference_request_failure")
            .help("Number of failed inference requests, all batch sizes");
    for (Map.Entry<LoadedVersion, Labels> e : bound) {
      for (FailureReason r : FailureReason.values()) {
        b.dataPoint(
            UnknownDataPointSnapshot.builder()
                .labels(e.getValue().add("reason", r.name()))
                .value(e.getKey().stats().failureCount(r))
                .build());
      }
    }
    return b.build();
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
