package io.tensorgate.loadtest;

import java.time.Duration;
import java.util.Objects;

/**
 * How one run loads the server, in ghz's terms. Without a rate, {@code workers} each keep one call
 * outstanding (closed loop). With a rate ({@code --rps} or a load schedule), calls leave on the
 * rate's schedule: a call waits for a free worker when all are busy (ghz's behaviour), or, with
 * {@code async}, leaves on time whatever is outstanding, up to {@code maxOutstanding} (open loop).
 * The run ends after {@code total} calls or {@code duration}, whichever comes first, counted after
 * {@code warmup}. Immutable.
 *
 * @param concurrency workers when {@code concurrencySchedule} is null
 * @param concurrencySchedule how the number of workers changes, or null for constant
 * @param rps constant request rate, 0 for none
 * @param loadSchedule how the request rate changes, or null for constant
 * @param async send on schedule without waiting for a worker (needs a rate)
 * @param maxOutstanding async: calls in flight beyond which a call is not sent but counted as
 *     "client saturated"
 * @param total calls to send after the warm-up; {@code Long.MAX_VALUE} for no limit
 * @param duration how long to send after the warm-up; zero for no limit
 * @param durationStop what happens to calls in flight when {@code duration} ends
 * @param warmup load sent before the measurement, not recorded
 * @param drainTimeout the longest wait for calls in flight at the end ({@code WAIT}, or after
 *     {@code total})
 */
record LoadPlan(
    int concurrency,
    StepSchedule concurrencySchedule,
    double rps,
    StepSchedule loadSchedule,
    boolean async,
    int maxOutstanding,
    long total,
    Duration duration,
    DurationStop durationStop,
    Duration warmup,
    Duration drainTimeout) {

  /** ghz's {@code --duration-stop}: what becomes of calls in flight when the duration ends. */
  enum DurationStop {
    /** Close the connections: calls in flight fail and are reported. */
    CLOSE,
    /** Wait for calls in flight and report them. */
    WAIT,
    /** Close the connections and leave calls in flight out of the report. */
    IGNORE
  }

  LoadPlan {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(durationStop, "durationStop");
    Objects.requireNonNull(warmup, "warmup");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (concurrencySchedule == null && concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    if (rps < 0) {
      throw new IllegalArgumentException("rps must be >= 0, got " + rps);
    }
    if (async && !(rps > 0 || loadSchedule != null)) {
      throw new IllegalArgumentException("--async needs a request rate (--rps or --load-schedule)");
    }
    if (total < 1) {
      throw new IllegalArgumentException("total must be >= 1, got " + total);
    }
    if (total == Long.MAX_VALUE && duration.isZero()) {
      throw new IllegalArgumentException("a run needs a total (-n) or a duration (-z)");
    }
    if (async && maxOutstanding < 1) {
      throw new IllegalArgumentException("max outstanding must be >= 1, got " + maxOutstanding);
    }
  }

  /** A closed loop of {@code concurrency} workers for {@code duration}, after {@code warmup}. */
  static LoadPlan closed(int concurrency, Duration duration, Duration warmup) {
    return new LoadPlan(
        concurrency,
        null,
        0,
        null,
        false,
        0,
        Long.MAX_VALUE,
        duration,
        DurationStop.WAIT,
        warmup,
        Duration.ofSeconds(30));
  }

  /** Whether calls leave on a rate's schedule. */
  boolean paced() {
    return rps > 0 || loadSchedule != null;
  }

  /** Workers at {@code elapsedNanos} into the measurement (the warm-up uses the first value). */
  int workersAt(long elapsedNanos) {
    if (concurrencySchedule == null) {
      return concurrency;
    }
    return (int) Math.min(Integer.MAX_VALUE, concurrencySchedule.valueAt(elapsedNanos));
  }

  /** Requests per second at {@code elapsedNanos} into the measurement. */
  double rateAt(long elapsedNanos) {
    return loadSchedule == null ? rps : loadSchedule.valueAt(elapsedNanos);
  }

  /** The most calls that can be in flight at once, or -1 when unbounded. */
  int maxInFlight() {
    if (async) {
      return maxOutstanding;
    }
    if (concurrencySchedule == null) {
      return concurrency;
    }
    double max = concurrencySchedule.maxValue();
    return Double.isInfinite(max) ? -1 : (int) Math.min(Integer.MAX_VALUE, max);
  }
}
