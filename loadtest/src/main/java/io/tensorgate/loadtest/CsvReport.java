package io.tensorgate.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * perf_analyzer-style CSV ({@code perf_analyzer -f}): one row per level, in level order (not sorted
 * by throughput as perf_analyzer does). Latencies and server times are microseconds; the server
 * columns stay empty without {@code --server-stats}. perf_analyzer's client-side breakdown columns
 * (Client Send, Network+Server Send/Recv, Client Recv) are not measured and not written.
 */
final class CsvReport {

  static final List<String> SERVER_COLUMNS =
      List.of(
          "Server Queue",
          "Server Compute Input",
          "Server Compute Infer",
          "Server Compute Output",
          "Server Overhead");

  private CsvReport() {}

  static String header(String mode) {
    List<String> columns = new ArrayList<>();
    columns.add(mode.equals(LevelResult.RATE) ? "Request Rate" : "Concurrency");
    columns.add("Inferences/Second");
    columns.addAll(SERVER_COLUMNS);
    columns.addAll(
        List.of(
            "p50 latency",
            "p90 latency",
            "p95 latency",
            "p99 latency",
            "Avg latency",
            "Requests",
            "Errors"));
    return String.join(",", columns);
  }

  static String row(LevelResult r) {
    List<String> cells = new ArrayList<>();
    cells.add(r.levelText());
    cells.add(String.format(Locale.ROOT, "%.1f", r.inferencesPerSecond()));
    ServerStats s = r.serverStats();
    if (s == null) {
      SERVER_COLUMNS.forEach(c -> cells.add(""));
    } else {
      for (double us :
          new double[] {
            s.queueUs(), s.computeInputUs(), s.computeInferUs(), s.computeOutputUs(), s.overheadUs()
          }) {
        cells.add(Long.toString(Math.round(us)));
      }
    }
    for (double p : new double[] {50, 90, 95, 99}) {
      cells.add(Long.toString(r.percentileNanos(p) / 1000));
    }
    long answered = r.count() - r.saturated();
    cells.add(Long.toString(answered == 0 ? 0 : r.latencySumNanos() / answered / 1000));
    cells.add(Long.toString(r.count()));
    cells.add(Long.toString(r.errors()));
    return String.join(",", cells);
  }

  static void write(Path file, List<LevelResult> levels) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(header(levels.isEmpty() ? LevelResult.CONCURRENCY : levels.get(0).mode()));
    levels.forEach(level -> lines.add(row(level)));
    Files.write(file, lines);
  }
}
