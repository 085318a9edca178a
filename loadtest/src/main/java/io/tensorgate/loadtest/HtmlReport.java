package io.tensorgate.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * ghz's {@code -O html}, as one self-contained page: no script, stylesheet or font is fetched (ghz
 * loads d3 and britecharts from CDNs), so the file opens offline and in CI artifacts. It holds the
 * summary, the latency histogram drawn as inline SVG, the latency distribution, the status and
 * error distributions, the options and Tensorgate's additions; one section per level of a sweep.
 */
final class HtmlReport {

  private static final int BAR_WIDTH = 480;
  private static final int ROW_HEIGHT = 22;

  private final ReportContext context;
  private final GhzReport json;
  private final ObjectMapper mapper = new ObjectMapper();

  HtmlReport(ReportContext context) {
    this.context = Objects.requireNonNull(context, "context");
    this.json = new GhzReport(context);
  }

  String text(List<LevelResult> levels) throws JsonProcessingException {
    String title = context.name().isEmpty() ? "ghz-shaped report" : context.name();
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}")
        .append("td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}")
        .append("th{background:#f2f2f2}pre{background:#f7f7f7;padding:1em;overflow:auto}")
        .append("svg text{font-size:12px;font-family:monospace}")
        .append("\n</style>\n</head>\n<body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n<p>Measured by ")
        .append(escape(context.clientDescription()))
        .append("</p>\n");
    for (LevelResult level : levels) {
      level(out, level);
    }
    out.append("<h2>Options</h2>\n<pre>")
        .append(escape(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(options(levels))))
        .append("</pre>\n</body>\n</html>\n");
    return out.toString();
  }

  private Object options(List<LevelResult> levels) {
    return levels.size() == 1 ? context.optionsFor(levels.get(0)) : context.options();
  }

  private void level(StringBuilder out, LevelResult r) throws JsonProcessingException {
    Histogram latencies = r.statsLatencies(context.countErrors());
    boolean any = latencies.getTotalCount() > 0;
    out.append("<section>\n<h2>")
        .append(escape(r.mode() + " " + r.levelText()))
        .append("</h2>\n<h3>Summary</h3>\n<table>\n");
    row(out, "Count", Long.toString(r.count()));
    row(out, "Total", SummaryReport.nanoUnit(r.totalNanos()));
    row(out, "Slowest", SummaryReport.nanoUnit(any ? latencies.getMaxValue() : 0));
    row(out, "Fastest", SummaryReport.nanoUnit(any ? latencies.getMinValue() : 0));
    row(out, "Average", SummaryReport.nanoUnit(r.averageNanos()));
    row(out, "Requests / sec", String.format(Locale.ROOT, "%.2f", r.rps()));
    row(out, "End reason", r.endReason());
    out.append("</table>\n");
    if (any) {
      out.append("<h3>Histogram</h3>\n");
      histogram(out, GhzReport.histogram(latencies));
      out.append("<h3>Latency distribution</h3>\n<table>\n<tr>");
      for (int percentage : GhzReport.GHZ_PERCENTAGES) {
        out.append("<th>").append(percentage).append(" %</th>");
      }
      out.append("</tr>\n<tr>");
      for (int percentage : GhzReport.GHZ_PERCENTAGES) {
        out.append("<td>")
            .append(escape(SummaryReport.nanoUnit(latencies.getValueAtPercentile(percentage))))
            .append("</td>");
      }
      out.append("</tr>\n</table>\n");
    }
    distribution(out, "Status distribution", "Status", r.statusCounts(), r.count());
    distribution(out, "Errors", "Error", r.errorCounts(), r.count());
    out.append("<h3>Tensorgate</h3>\n<pre>")
        .append(
            escape(
                mapper
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(json.level(r).get("tensorgate"))))
        .append("</pre>\n</section>\n");
  }

  private static void histogram(StringBuilder out, List<GhzReport.Bucket> buckets) {
    long max = buckets.stream().mapToLong(GhzReport.Bucket::count).max().orElse(0);
    int height = ROW_HEIGHT * buckets.size();
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(BAR_WIDTH + 220)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\" aria-label=\"latency histogram\">\n");
    for (int i = 0; i < buckets.size(); i++) {
      GhzReport.Bucket bucket = buckets.get(i);
      long width = max == 0 ? 0 : Math.round(bucket.count() * (double) BAR_WIDTH / max);
      int y = i * ROW_HEIGHT;
      out.append(
          String.format(
              Locale.ROOT,
              "<text x=\"0\" y=\"%d\">%.3f ms</text>"
                  + "<rect x=\"110\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#2a9d8f\"/>"
                  + "<text x=\"%d\" y=\"%d\">%d</text>%n",
              y + 15,
              bucket.markSeconds() * 1000,
              y + 3,
              width,
              ROW_HEIGHT - 6,
              116 + width,
              y + 15,
              bucket.count()));
    }
    out.append("</svg>\n");
  }

  private static void distribution(
      StringBuilder out, String title, String column, Map<String, Long> counts, long total) {
    if (counts.isEmpty()) {
      return;
    }
    out.append("<h3>")
        .append(title)
        .append("</h3>\n<table>\n<tr><th>")
        .append(column)
        .append("</th><th>Count</th><th>% of Total</th></tr>\n");
    counts.forEach(
        (key, count) ->
            out.append("<tr><td>")
                .append(escape(key))
                .append("</td><td>")
                .append(count)
                .append("</td><td>")
                .append(String.format(Locale.ROOT, "%.2f %%", 100.0 * count / Math.max(1, total)))
                .append("</td></tr>\n"));
    out.append("</table>\n");
  }

  private static void row(StringBuilder out, String name, String value) {
    out.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
