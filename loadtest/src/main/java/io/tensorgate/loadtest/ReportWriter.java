package io.tensorgate.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prints a run's report in ghz's {@code -O} format to {@code -o} (or stdout), and the extras. */
final class ReportWriter {

  private ReportWriter() {}

  /**
   * @param format summary, csv, json, pretty or html
   * @param output the file to write, or null for {@code stdout}
   * @param perfCsv where perf_analyzer's CSV goes, or null
   */
  static void write(
      ReportContext context,
      List<LevelResult> levels,
      String format,
      Path output,
      PrintWriter stdout,
      Path perfCsv)
      throws IOException {
    String text =
        switch (format) {
          case "summary" -> new SummaryReport(context).text(levels);
          case "csv" -> DetailsCsv.text(levels);
          case "json" -> new GhzReport(context).text(levels, false);
          case "pretty" -> new GhzReport(context).text(levels, true);
          case "html" -> new HtmlReport(context).text(levels);
          default -> throw new IllegalArgumentException("unknown format: " + format);
        };
    if (output == null) {
      stdout.print(text);
      stdout.flush();
    } else {
      Files.writeString(output, text, StandardCharsets.UTF_8);
    }
    if (perfCsv != null) {
      CsvReport.write(perfCsv, levels);
    }
  }
}
