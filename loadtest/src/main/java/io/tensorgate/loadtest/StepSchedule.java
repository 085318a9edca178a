package io.tensorgate.loadtest;

import java.time.Duration;

/**
 * ghz's {@code step} and {@code line} schedules, for the request rate ({@code --load-*}) and for
 * the number of workers ({@code --concurrency-*}): the value starts at {@code start} and changes by
 * {@code step} every {@code stepDuration} (one second for {@code line}), until it reaches {@code
 * end} (when given, greater than 0) or {@code maxDuration} has passed (when given); from then on it
 * stays where it is. It never goes below 0. Immutable.
 *
 * @param start value at time 0
 * @param step change per step, negative to go down; never 0
 * @param end value at which changes stop; 0 for none
 * @param stepDuration time between changes
 * @param maxDuration time after which changes stop; zero for none
 */
record StepSchedule(
    double start, double step, double end, Duration stepDuration, Duration maxDuration) {

  StepSchedule {
    if (step == 0) {
      throw new IllegalArgumentException("a step or line schedule needs a step other than 0");
    }
    if (stepDuration.isZero() || stepDuration.isNegative()) {
      throw new IllegalArgumentException("a step schedule needs a step duration above 0");
    }
    if (start < 0 || end < 0) {
      throw new IllegalArgumentException("schedule start and end must be >= 0");
    }
    if (end > 0 && end == start) {
      throw new IllegalArgumentException("schedule start cannot equal its end");
    }
    if (end > 0 && (end - start) * step < 0) {
      throw new IllegalArgumentException(
          "a schedule from " + start + " to " + end + " cannot take steps of " + step);
    }
  }

  /** ghz's {@code line}: a step every second. */
  static StepSchedule line(double start, double slope, double end, Duration maxDuration) {
    return new StepSchedule(start, slope, end, Duration.ofSeconds(1), maxDuration);
  }

  /** The value {@code elapsedNanos} after the schedule started (before that: the start). */
  double valueAt(long elapsedNanos) {
    long elapsed = Math.max(0, elapsedNanos);
    if (!maxDuration.isZero()) {
      elapsed = Math.min(elapsed, maxDuration.toNanos());
    }
    double value = start + step * (elapsed / stepDuration.toNanos());
    if (end > 0) {
      value = step > 0 ? Math.min(value, end) : Math.max(value, end);
    }
    return Math.max(0, value);
  }

  /** The largest value the schedule reaches, or {@code Double.POSITIVE_INFINITY} if unbounded. */
  double maxValue() {
    if (step < 0) {
      return start;
    }
    if (end > 0) {
      return end;
    }
    if (!maxDuration.isZero()) {
      return valueAt(maxDuration.toNanos());
    }
    return Double.POSITIVE_INFINITY;
  }

  /** Nanoseconds from the start to the next change after {@code elapsedNanos}. */
  long nextChangeAfter(long elapsedNanos) {
    long step = stepDuration.toNanos();
    return (Math.max(0, elapsedNanos) / step + 1) * step;
  }
}
