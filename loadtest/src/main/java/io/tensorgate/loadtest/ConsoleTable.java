package io.tensorgate.loadtest;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The human-readable table, one row per level, printed as each level finishes. */
final class ConsoleTable {

  private static final String ROW = "%12s %9s %9s %7s %10s %10s %8s %8s %8s %8s %8s %8s%n";
  private static final String SERVER_ROW = "%12s %9s %9s %9s %9s %9s %9s %9s%n";

  private final PrintWriter out;

  ConsoleTable(PrintWriter out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  void header(String mode) {
    out.printf(
        Locale.ROOT,
        ROW,
        mode.equals(LevelResult.RATE) ? "rate (rps)" : "concurrency",
        "count",
        "ok",
        "errors",
        "ok rps",
        "infer/s",
        "p50 ms",
        "p90 ms",
        "p95 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms");
    out.flush();
  }

  void row(LevelResult r) {
    out.printf(
        Locale.ROOT,
        ROW,
        r.levelText(),
        r.count(),
        r.ok(),
        r.errors(),
        String.format(Locale.ROOT, "%.1f", r.okRps()),
        String.format(Locale.ROOT, "%.1f", r.inferencesPerSecond()),
        ms(r.percentileNanos(50)),
        ms(r.percentileNanos(90)),
        ms(r.percentileNanos(95)),
        ms(r.percentileNanos(99)),
        ms(r.percentileNanos(99.9)),
        ms(r.ok() == 0 ? 0 : r.okLatencies().getMaxValue()));
    r.errorCounts().forEach((message, count) -> out.printf("    %d x %s%n", count, message));
    out.flush();
  }

  /** Server-side averages of every level, in microseconds; printed after a run with them. */
  void serverRows(List<LevelResult> levels) {
    out.printf(
        Locale.ROOT,
        SERVER_ROW,
        "server (us)",
        "requests",
        "success",
        "queue",
        "input",
        "infer",
        "output",
        "overhead");
    for (LevelResult r : levels) {
      ServerStats s = r.serverStats();
      if (s == null) {
        continue;
      }
      out.printf(
          Locale.ROOT,
          SERVER_ROW,
          r.levelText(),
          s.requests(),
          us(s.successUs()),
          us(s.queueUs()),
          us(s.computeInputUs()),
          us(s.computeInferUs()),
          us(s.computeOutputUs()),
          us(s.overheadUs()));
    }
    out.flush();
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  private static String us(double micros) {
    return String.format(Locale.ROOT, "%.1f", micros);
  }
}
