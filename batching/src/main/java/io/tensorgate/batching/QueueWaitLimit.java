package io.tensorgate.batching;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Admission by expected wait, not only by queue length: a request whose predicted queue wait
 * ({@link ServiceRate}) exceeds the budget, or the time left before its own deadline, is refused at
 * once with UNAVAILABLE, instead of queueing only to time out or be answered too late. The ring
 * still bounds the count.
 *
 * <p>The prediction is an average, and under sustained overload the queue settles where the
 * predicted wait meets the admission limit, so admitted waits spread around that limit. To keep
 * them within the budget (their p99, not only their median), requests are admitted only up to 3/4
 * of it.
 *
 * <p>The prediction counts every queued request, whatever its priority level. Any submitting
 * thread; stateless apart from the shared {@link ServiceRate}.
 */
final class QueueWaitLimit {
  private final String model;
  private final ServiceRate rate;
  private final long budgetNanos;
  private final long admitNanos;

  /**
   * @param schedulerName for messages, e.g. {@code simple:1}
   * @param budgetNanos the longest predicted wait admitted; positive
   */
  QueueWaitLimit(String schedulerName, ServiceRate rate, long budgetNanos) {
    this.model = SchedulerErrors.modelName(Objects.requireNonNull(schedulerName, "schedulerName"));
    this.rate = Objects.requireNonNull(rate, "rate");
    if (budgetNanos <= 0) {
      throw new IllegalArgumentException("budgetNanos " + budgetNanos + " is not positive");
    }
    this.budgetNanos = budgetNanos;
    this.admitNanos = budgetNanos - budgetNanos / 4;
  }

  /**
   * @param queued requests queued, this one included
   * @param instances instances in service
   * @return null to admit; otherwise the refusal
   */
  InferenceError check(InferenceRequest request, long now, int queued, int instances) {
    long predicted = rate.predictedWaitNanos(queued, instances);
    if (predicted <= admitNanos) {
      long deadline = request.deadlineNanos();
      if (deadline == InferenceRequest.NO_DEADLINE || predicted <= deadline - now) {
        return null;
      }
      return refusal(predicted, deadline - now, "left before the request's deadline");
    }
    return refusal(
        predicted,
        admitNanos,
        "admitted to keep waits within " + millis(budgetNanos) + " ms (--max-queue-wait-ms)");
  }

  private InferenceError refusal(long predictedNanos, long limitNanos, String limit) {
    return new InferenceError(
        ErrorCode.UNAVAILABLE,
        "Exceeds maximum queue wait: a request for model '"
            + model
            + "' would wait about "
            + millis(predictedNanos)
            + " ms in the queue, more than the "
            + millis(Math.max(0, limitNanos))
            + " ms "
            + limit);
  }

  private static long millis(long nanos) {
    return nanos == Long.MAX_VALUE ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
