package io.tensorgate.loadtest;

import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The measurement of one load level (one concurrency or one rate). Requests count when their
 * (intended) send time falls in the measurement window; latencies are nanoseconds.
 *
 * @param mode "concurrency" (closed loop) or "rate" (open loop)
 * @param level the concurrency or the request rate (requests/s)
 * @param batchSize batch size of each request
 * @param windowNanos length of the measurement window
 * @param count requests counted, successful or not (saturated ones included)
 * @param ok successful requests
 * @param okLatencies latencies of successful requests
 * @param latencySumNanos sum of the latencies of all answered requests
 * @param errorLatencies latencies of answered requests that failed (how fast a refusal comes)
 * @param statusCounts counts by gRPC status name as ghz spells them ("OK", "Unavailable", ...)
 * @param errorCounts counts by error message
 * @param saturated open loop: requests not sent because --max-outstanding was reached
 * @param maxLagNanos open loop: the most a send fell behind its intended time
 * @param serverStats server-side averages for the level, or null when not asked for
 */
record LevelResult(
    String mode,
    double level,
    int batchSize,
    long windowNanos,
    long count,
    long ok,
    Histogram okLatencies,
    long latencySumNanos,
    Histogram errorLatencies,
    Map<String, Long> statusCounts,
    Map<String, Long> errorCounts,
    long saturated,
    long maxLagNanos,
    ServerStats serverStats) {

  static final String CONCURRENCY = "concurrency";
  static final String RATE = "rate";

  LevelResult {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(okLatencies, "okLatencies");
    Objects.requireNonNull(errorLatencies, "errorLatencies");
    statusCounts = Map.copyOf(statusCounts);
    errorCounts = Map.copyOf(errorCounts);
  }

  long errors() {
    return count - ok;
  }

  /** Requests per second, successful or not (ghz's rps). */
  double rps() {
    return count / seconds();
  }

  /** Successful requests per second. */
  double okRps() {
    return ok / seconds();
  }

  /** Successful inferences per second: a request of batch B counts B (perf_analyzer's). */
  double inferencesPerSecond() {
    return okRps() * batchSize;
  }

  double seconds() {
    return windowNanos / 1e9;
  }

  /** Latency at a percentile (0-100] of successful requests, in nanoseconds; 0 when none. */
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
