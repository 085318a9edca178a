package io.tensorgate.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * ghz's default output ({@code -O summary}): the summary, the response time histogram, the latency
 * distribution, the status code and error distributions, laid out as ghz prints them. A sweep
 * prints one summary per level. Below it, Tensorgate's lines: the client that measured and, when
 * known, inferences/s and the server's own statistics.
 */
final class SummaryReport {

  private static final String BAR = "∎";

  private final ReportContext context;

  SummaryReport(ReportContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  String text(List<LevelResult> levels) {
    StringBuilder out = new StringBuilder();
    for (LevelResult level : levels) {
      if (levels.size() > 1) {
        out.append('\n').append(level.mode()).append(' ').append(level.levelText()).append(':');
      }
      level(out, level);
    }
    return out.toString();
  }

  private void level(StringBuilder out, LevelResult r) {
    Histogram latencies = r.statsLatencies(context.countErrors());
    boolean any = latencies.getTotalCount() > 0;
    out.append("\nSummary:\n");
    if (!context.name().isEmpty()) {
      out.append("  Name:\t\t").append(context.name()).append('\n');
    }
    out.append("  Count:\t").append(r.count()).append('\n');
    out.append("  Total:\t").append(nanoUnit(r.totalNanos())).append('\n');
    out.append("  Slowest:\t").append(nanoUnit(any ? latencies.getMaxValue() : 0)).append('\n');
    out.append("  Fastest:\t").append(nanoUnit(any ? latencies.getMinValue() : 0)).append('\n');
    out.append("  Average:\t").append(nanoUnit(r.averageNanos())).append('\n');
    out.append("  Requests/sec:\t").append(String.format(Locale.ROOT, "%4.2f", r.rps()));
    out.append("\n\nResponse time histogram:\n");
    if (any) {
      histogram(out, GhzReport.histogram(latencies));
    }
    out.append("\nLatency distribution:");
    if (any) {
      for (int percentage : GhzReport.GHZ_PERCENTAGES) {
        out.append("\n  ")
            .append(percentage)
            .append(" % in ")
            .append(nanoUnit(latencies.getValueAtPercentile(percentage)))
            .append(' ');
      }
    }
    out.append("\n\n");
    if (!r.statusCounts().isEmpty()) {
      out.append("Status code distribution:\n");
      table(out, r.statusCounts(), true);
    }
    out.append('\n');
    if (!r.errorCounts().isEmpty()) {
      out.append("Error distribution:\n");
      table(out, r.errorCounts(), false);
    }
    tensorgate(out, r);
  }

  private void tensorgate(StringBuilder out, LevelResult r) {
    out.append("\nTensorgate:\n  Client:\t").append(context.clientDescription()).append('\n');
    if (r.batchSize() > 1 || context.extension().has("model")) {
      out.append(
          String.format(
              Locale.ROOT,
              "  Inferences/sec:\t%.2f (batch size %d)%n",
              r.inferencesPerSecond(),
              r.batchSize()));
    }
    if (r.saturated() > 0) {
      out.append("  Client saturated:\t").append(r.saturated()).append(" calls not sent\n");
    }
    ServerStats s = r.serverStats();
    if (s != null) {
      out.append(
          String.format(
              Locale.ROOT,
              "  Server (mean us):\tsuccess %.1f, queue %.1f, compute input %.1f, infer %.1f,"
                  + " output %.1f, overhead %.1f (%d requests)%n",
              s.successUs(),
              s.queueUs(),
              s.computeInputUs(),
              s.computeInferUs(),
              s.computeOutputUs(),
              s.overheadUs(),
              s.requests()));
    }
  }

  /** ghz's formatNanoUnit: ns below 10 µs, then ms, then s. */
  static String nanoUnit(long nanos) {
    if (nanos < 10_000) {
      return nanos + " ns";
    }
    double millis = nanos / 1e6;
    if (millis < 1000) {
      return String.format(Locale.ROOT, "%4.2f ms", millis);
    }
    return String.format(Locale.ROOT, "%4.2f s", millis / 1000);
  }

  private static void histogram(StringBuilder out, List<GhzReport.Bucket> buckets) {
    long maxCount = 0;
    double maxMark = 0;
    for (GhzReport.Bucket bucket : buckets) {
      maxCount = Math.max(maxCount, bucket.count());
      maxMark = Math.max(maxMark, bucket.markSeconds());
    }
    int markWidth = mark(maxMark).length();
    int countWidth = Long.toString(maxCount).length();
    for (GhzReport.Bucket bucket : buckets) {
      long bar = maxCount == 0 ? 0 : (bucket.count() * 40 + maxCount / 2) / maxCount;
      String mark = mark(bucket.markSeconds());
      String count = Long.toString(bucket.count());
      out.append("  ")
          .append(mark)
          .append(" ".repeat(markWidth - mark.length()))
          .append(" [")
          .append(count)
          .append(']')
          .append(" ".repeat(countWidth - count.length()))
          .append(" |")
          .append(BAR.repeat((int) bar))
          .append('\n');
    }
  }

  private static String mark(double seconds) {
    return String.format(Locale.ROOT, "%.3f", seconds * 1000);
  }

  /** A two-column table aligned as Go's tabwriter does with padding 3. */
  private static void table(StringBuilder out, Map<String, Long> counts, boolean statuses) {
    int width = 0;
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      width = Math.max(width, first(entry, statuses).length());
    }
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      String first = first(entry, statuses);
      String second = statuses ? entry.getValue() + " responses" : entry.getKey();
      out.append(first).append(" ".repeat(width - first.length() + 3)).append(second);
      out.append("   \n");
    }
  }

  private static String first(Map.Entry<String, Long> entry, boolean statuses) {
    return "  [" + (statuses ? entry.getKey() : entry.getValue()) + "]";
  }
}
