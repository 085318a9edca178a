package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes levels as ghz's JSON report ({@code ghz -O json}): {@code count}, {@code total}, {@code
 * average}, {@code fastest}, {@code slowest} in nanoseconds (Go's time.Duration), {@code rps},
 * {@code latencyDistribution} at ghz's percentages 10/25/50/75/90/95/99, an 11-bucket {@code
 * histogram} with marks in seconds, {@code statusCodeDistribution} and {@code errorDistribution}.
 * As in ghz, fastest/slowest/percentiles/histogram cover successful requests and {@code average}
 * covers every answered one. Per-request {@code details} are not written. Everything ghz has no
 * field for (p99.9, max, inferences/s, server statistics, the level) sits under {@code
 * "tensorgate"}, which ghz readers ignore. One level gives one object; a sweep gives an array of
 * them, in level order.
 */
final class GhzReport {

  static final int[] GHZ_PERCENTAGES = {10, 25, 50, 75, 90, 95, 99};
  private static final int HISTOGRAM_BUCKETS = 10;

  /** What ghz's report calls "options": how the run was set up. */
  record Options(
      String host,
      String call,
      int connections,
      long durationNanos,
      long timeoutNanos,
      String model,
      String modelVersion,
      boolean stream,
      String sharedMemory) {
    Options {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(call, "call");
    }
  }

  private final ObjectMapper mapper = new ObjectMapper();
  private final Options options;

  GhzReport(Options options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  void write(Path file, List<LevelResult> levels) throws IOException {
    Object json;
    if (levels.size() == 1) {
      json = level(levels.get(0));
    } else {
      ArrayNode array = mapper.createArrayNode();
      levels.forEach(level -> array.add(level(level)));
      json = array;
    }
    mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
  }

  ObjectNode level(LevelResult r) {
    ObjectNode root = mapper.createObjectNode();
    root.put("name", options.model() + " " + r.mode() + " " + r.levelText());
    root.put("endReason", "timeout");
    root.set("options", optionsNode(r));
    root.put(
        "date",
        OffsetDateTime.now(ZoneOffset.UTC)
            .truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    root.put("count", r.count());
    root.put("total", r.windowNanos());
    long answered = r.count() - r.saturated();
    root.put("average", answered == 0 ? 0 : r.latencySumNanos() / answered);
    root.put("fastest", r.ok() == 0 ? 0 : r.okLatencies().getMinValue());
    root.put("slowest", r.ok() == 0 ? 0 : r.okLatencies().getMaxValue());
    root.put("rps", r.rps());
    root.set("errorDistribution", counts(r.errorCounts()));
    root.set("statusCodeDistribution", counts(r.statusCounts()));
    if (r.ok() == 0) {
      root.putNull("latencyDistribution");
      root.putNull("histogram");
    } else {
      ArrayNode latencies = root.putArray("latencyDistribution");
      for (int percentage : GHZ_PERCENTAGES) {
        latencies
            .addObject()
            .put("percentage", percentage)
            .put("latency", r.percentileNanos(percentage));
      }
      root.set("histogram", histogram(r));
    }
    root.set("tensorgate", extension(r));
    return root;
  }

  private ObjectNode optionsNode(LevelResult r) {
    ObjectNode node = mapper.createObjectNode();
    node.put("host", options.host());
    node.put("call", options.call());
    node.put("insecure", true);
    if (r.mode().equals(LevelResult.CONCURRENCY)) {
      node.put("concurrency", (long) r.level());
    } else {
      node.put("rps", r.level());
    }
    node.put("connections", options.connections());
    node.put("duration", options.durationNanos());
    node.put("timeout", options.timeoutNanos());
    node.put("CPUs", Runtime.getRuntime().availableProcessors());
    return node;
  }

  private ObjectNode counts(Map<String, Long> counts) {
    ObjectNode node = mapper.createObjectNode();
    counts.forEach(node::put);
    return node;
  }

  /**
   * ghz's histogram: marks from fastest to slowest in 10 equal steps, each counting (prev, mark].
   */
  private ArrayNode histogram(LevelResult r) {
    long fastest = r.okLatencies().getMinValue();
    long slowest = r.okLatencies().getMaxValue();
    double step = (slowest - fastest) / (double) HISTOGRAM_BUCKETS;
    long[] counts = new long[HISTOGRAM_BUCKETS + 1];
    for (HistogramIterationValue value : r.okLatencies().recordedValues()) {
      long latency = Math.min(slowest, Math.max(fastest, value.getValueIteratedTo()));
      int bucket = step == 0 ? 0 : (int) Math.ceil((latency - fastest) / step);
      counts[Math.min(HISTOGRAM_BUCKETS, bucket)] += value.getCountAtValueIteratedTo();
    }
    ArrayNode buckets = mapper.createArrayNode();
    for (int i = 0; i <= HISTOGRAM_BUCKETS; i++) {
      double markNanos = i == HISTOGRAM_BUCKETS ? slowest : fastest + step * i;
      buckets
          .addObject()
          .put("mark", markNanos / 1e9)
          .put("count", counts[i])
          .put("frequency", counts[i] / (double) r.ok());
    }
    return buckets;
  }

  private ObjectNode extension(LevelResult r) {
    ObjectNode node = mapper.createObjectNode();
    node.put("mode", r.mode());
    node.put("level", r.level());
    node.put("model", options.model());
    node.put("modelVersion", options.modelVersion());
    node.put("batchSize", r.batchSize());
    node.put("stream", options.stream());
    node.put("sharedMemory", options.sharedMemory());
    node.put("ok", r.ok());
    node.put("errors", r.errors());
    node.put("clientSaturated", r.saturated());
    node.put("okRps", r.okRps());
    node.put("inferencesPerSecond", r.inferencesPerSecond());
    ObjectNode percentiles = node.putObject("latencyNanos");
    percentiles.put("p50", r.percentileNanos(50));
    percentiles.put("p90", r.percentileNanos(90));
    percentiles.put("p95", r.percentileNanos(95));
    percentiles.put("p99", r.percentileNanos(99));
    percentiles.put("p99.9", r.percentileNanos(99.9));
    percentiles.put("max", r.ok() == 0 ? 0 : r.okLatencies().getMaxValue());
    ObjectNode errorPercentiles = node.putObject("errorLatencyNanos");
    errorPercentiles.put("p50", r.errorPercentileNanos(50));
    errorPercentiles.put("p99", r.errorPercentileNanos(99));
    if (r.mode().equals(LevelResult.RATE)) {
      node.put("maxScheduleLagNanos", r.maxLagNanos());
    }
    ServerStats s = r.serverStats();
    if (s != null) {
      ObjectNode server = node.putObject("serverStats");
      server.put("requests", s.requests());
      server.put("inferences", s.inferences());
      server.put("executions", s.executions());
      server.put("successUs", s.successUs());
      server.put("queueUs", s.queueUs());
      server.put("computeInputUs", s.computeInputUs());
      server.put("computeInferUs", s.computeInferUs());
      server.put("computeOutputUs", s.computeOutputUs());
      server.put("overheadUs", s.overheadUs());
    }
    return node;
  }
}
