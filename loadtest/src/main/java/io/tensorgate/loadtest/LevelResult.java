package io.tensorgate.loadtest;

import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The measurement of one run (one level of a sweep). Calls count when they were sent after the
 * warm-up; latencies are nanoseconds.
 *
 * @param mode "concurrency" (closed loop) or "rate" (calls on a rate's schedule)
 * @param level the concurrency or the request rate (requests/s)
 * @param batchSize batch size of each request (1 unless a model's inputs were generated)
 * @param totalNanos ghz's {@code total}: from the end of the warm-up to the end of the run
 * @param count calls counted, successful or not (saturated ones included)
 * @param ok successful calls
 * @param okLatencies latencies of successful calls
 * @param latencySumNanos sum of the latencies of all answered calls
 * @param errorLatencies latencies of answered calls that failed (how fast a refusal comes)
 * @param statusCounts counts by gRPC status name as ghz spells them ("OK", "Unavailable", ...)
 * @param errorCounts counts by error message
 * @param saturated async: calls not sent because --max-outstanding were in flight
 * @param maxLagNanos calls on a rate: the most a send fell behind its intended time
 * @param serverStats server-side averages, or null when not asked for
 * @param endReason ghz's {@code endReason}: "normal", "timeout" (the duration ended) or "cancel"
 * @param details per-call details, or null when not kept
 */
record LevelResult(
    String mode,
    double level,
    int batchSize,
    long totalNanos,
    long count,
    long ok,
    Histogram okLatencies,
    long latencySumNanos,
    Histogram errorLatencies,
    Map<String, Long> statusCounts,
    Map<String, Long> errorCounts,
    long saturated,
    long maxLagNanos,
    ServerStats serverStats,
    String endReason,
    CallDetails details) {

  static final String CONCURRENCY = "concurrency";
  static final String RATE = "rate";

  LevelResult {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(okLatencies, "okLatencies");
    Objects.requireNonNull(errorLatencies, "errorLatencies");
    Objects.requireNonNull(endReason, "endReason");
    statusCounts = Map.copyOf(statusCounts);
    errorCounts = Map.copyOf(errorCounts);
  }

  long errors() {
    return count - ok;
  }

  /** Answered calls (saturated ones were never sent). */
  long answered() {
    return count - saturated;
  }

  /** ghz's rps: calls per second, successful or not (count / total). */
  double rps() {
    return totalNanos == 0 ? 0 : count / seconds();
  }

  /** Successful calls per second. */
  double okRps() {
    return totalNanos == 0 ? 0 : ok / seconds();
  }

  /** Successful inferences per second: a request of batch B counts B (perf_analyzer's). */
  double inferencesPerSecond() {
    return okRps() * batchSize;
  }

  double seconds() {
    return totalNanos / 1e9;
  }

  /** ghz's {@code average}: mean latency of every answered call, failures included. */
  long averageNanos() {
    return answered() == 0 ? 0 : latencySumNanos / answered();
  }

  /**
   * The latencies ghz's statistics cover: successful calls, or with {@code --count-errors} every
   * answered call.
   */
  Histogram statsLatencies(boolean countErrors) {
    if (!countErrors || errorLatencies.getTotalCount() == 0) {
      return okLatencies;
    }
    Histogram all = okLatencies.copy();
    all.add(errorLatencies);
    return all;
  }

  /** Latency at a percentile (0-100] of successful calls, in nanoseconds; 0 when none. */
  long percentileNanos(double percentile) {
    return ok == 0 ? 0 : okLatencies.getValueAtPercentile(percentile);
  }

  /** Latency at a percentile (0-100] of failed answers, in nanoseconds; 0 when none. */
  long errorPercentileNanos(double percentile) {
    return errorLatencies.getTotalCount() == 0
        ? 0
        : errorLatencies.getValueAtPercentile(percentile);
  }

  /** Level as text: "4" for a concurrency, "250.5" for a rate. */
  String levelText() {
    return level == Math.rint(level) ? Long.toString((long) level) : Double.toString(level);
  }
}
