package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * ghz's JSON report ({@code -O json}, {@code -O pretty}), field for field: {@code date}, {@code
 * name}, {@code endReason}, {@code options}, then {@code count}, {@code total}, {@code average},
 * {@code fastest}, {@code slowest} in nanoseconds (Go's time.Duration), {@code rps} (count /
 * total), {@code errorDistribution}, {@code statusCodeDistribution}, {@code latencyDistribution} at
 * ghz's percentages 10/25/50/75/90/95/99, an 11-bucket {@code histogram} with marks in seconds,
 * {@code details} (only with {@code --details}) and {@code tags}. As in ghz,
 * fastest/slowest/percentiles/histogram cover successful calls (all answered calls with {@code
 * --count-errors}) and {@code average} covers every answered call. What ghz has no field for sits
 * under {@code "tensorgate"}. One level gives one object; a sweep gives an array, in level order.
 */
final class GhzReport {

  static final int[] GHZ_PERCENTAGES = {10, 25, 50, 75, 90, 95, 99};
  static final int HISTOGRAM_BUCKETS = 10;

  private final ObjectMapper mapper = new ObjectMapper();
  private final ReportContext context;

  GhzReport(ReportContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /** The report of every level: one object, or an array for several. */
  JsonNode json(List<LevelResult> levels) {
    if (levels.size() == 1) {
      return level(levels.get(0));
    }
    ArrayNode array = mapper.createArrayNode();
    levels.forEach(level -> array.add(level(level)));
    return array;
  }

  /** The text {@code -O json} (one line) or {@code -O pretty} (indented) prints. */
  String text(List<LevelResult> levels, boolean pretty) throws java.io.IOException {
    JsonNode json = json(levels);
    return pretty
        ? mapper.writerWithDefaultPrettyPrinter().writeValueAsString(json)
        : mapper.writeValueAsString(json);
  }

  ObjectNode level(LevelResult r) {
    ObjectNode root = mapper.createObjectNode();
    root.put(
        "date",
        OffsetDateTime.now(ZoneId.systemDefault())
            .truncatedTo(ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    if (!context.name().isEmpty()) {
      root.put("name", context.name());
    }
    root.put("endReason", r.endReason());
    root.set("options", context.optionsFor(r));
    root.put("count", r.count());
    root.put("total", r.totalNanos());
    root.put("average", r.averageNanos());
    Histogram latencies = r.statsLatencies(context.countErrors());
    boolean any = latencies.getTotalCount() > 0;
    root.put("fastest", any ? latencies.getMinValue() : 0);
    root.put("slowest", any ? latencies.getMaxValue() : 0);
    root.put("rps", r.rps());
    root.set("errorDistribution", counts(r.errorCounts()));
    root.set("statusCodeDistribution", counts(r.statusCounts()));
    if (any) {
      ArrayNode distribution = root.putArray("latencyDistribution");
      for (int percentage : GHZ_PERCENTAGES) {
        distribution
            .addObject()
            .put("percentage", percentage)
            .put("latency", latencies.getValueAtPercentile(percentage));
      }
      ArrayNode histogram = root.putArray("histogram");
      for (Bucket bucket : histogram(latencies)) {
        histogram
            .addObject()
            .put("mark", bucket.markSeconds())
            .put("count", bucket.count())
            .put("frequency", bucket.frequency());
      }
    } else {
      root.putNull("latencyDistribution");
      root.putNull("histogram");
    }
    if (context.details()) {
      root.set("details", details(r));
    }
    if (!context.tags().isEmpty()) {
      ObjectNode tags = root.putObject("tags");
      context.tags().forEach(tags::put);
    }
    root.set("tensorgate", extension(r));
    return root;
  }

  private JsonNode details(LevelResult r) {
    if (r.details() == null) {
      return mapper.nullNode();
    }
    ArrayNode details = mapper.createArrayNode();
    for (CallDetails.Call call : r.details().calls()) {
      details
          .addObject()
          .put("timestamp", rfc3339Nanos(call.endEpochNanos()))
          .put("latency", call.latencyNanos())
          .put("error", call.error() == null ? "" : call.error())
          .put("status", call.status());
    }
    return details;
  }

  private static String rfc3339Nanos(long epochNanos) {
    return java.time.Instant.ofEpochSecond(0, epochNanos)
        .atZone(ZoneId.systemDefault())
        .toOffsetDateTime()
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  private ObjectNode counts(Map<String, Long> counts) {
    ObjectNode node = mapper.createObjectNode();
    counts.forEach(node::put);
    return node;
  }

  /** One bucket of ghz's histogram: the calls in (previous mark, mark]. */
  record Bucket(double markSeconds, long count, double frequency) {}

  /** ghz's histogram: 11 marks from fastest to slowest in 10 equal steps. */
  static List<Bucket> histogram(Histogram latencies) {
    long fastest = latencies.getMinValue();
    long slowest = latencies.getMaxValue();
    long total = latencies.getTotalCount();
    double step = (slowest - fastest) / (double) HISTOGRAM_BUCKETS;
    long[] counts = new long[HISTOGRAM_BUCKETS + 1];
    for (HistogramIterationValue value : latencies.recordedValues()) {
      long latency =
          Math.min(
              slowest,
              Math.max(fastest, latencies.lowestEquivalentValue(value.getValueIteratedTo())));
      int bucket = step == 0 ? 0 : (int) Math.ceil((latency - fastest) / step);
      counts[Math.min(HISTOGRAM_BUCKETS, bucket)] += value.getCountAtValueIteratedTo();
    }
    Bucket[] buckets = new Bucket[HISTOGRAM_BUCKETS + 1];
    for (int i = 0; i <= HISTOGRAM_BUCKETS; i++) {
      double markNanos = i == HISTOGRAM_BUCKETS ? slowest : fastest + step * i;
      buckets[i] = new Bucket(markNanos / 1e9, counts[i], counts[i] / (double) total);
    }
    return List.of(buckets);
  }

  private ObjectNode extension(LevelResult r) {
    ObjectNode node = context.extension().deepCopy();
    node.put("mode", r.mode());
    node.put("level", r.level());
    node.put("batchSize", r.batchSize());
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
