package io.tensorgate.batching;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;

/**
 * The refusals and failures a scheduler answers with, in Triton's words where Triton has them.
 * Shared constants, so that the overload and cancellation paths allocate nothing.
 */
final class SchedulerErrors {
  static final InferenceError QUEUE_FULL =
      new InferenceError(ErrorCode.UNAVAILABLE, "Exceeds maximum queue size");
  static final InferenceError QUEUE_TIMEOUT =
      new InferenceError(ErrorCode.UNAVAILABLE, "Request timeout expired");
  static final InferenceError CANCELLED =
      new InferenceError(ErrorCode.CANCELLED, "request cancelled");
  static final InferenceError DEADLINE_EXCEEDED =
      new InferenceError(
          ErrorCode.DEADLINE_EXCEEDED, "deadline exceeded before the request was executed");

  /** A batch that failed in the scheduler itself, outside the backend. */
  static final InferenceError WORKER_FAILED =
      new InferenceError(ErrorCode.INTERNAL, "the server failed while running this request");

  private SchedulerErrors() {}

  /** Refusal after {@link Scheduler#shutdown}, in Triton's words. */
  static InferenceError stopped(String model) {
    return new InferenceError(
        ErrorCode.UNAVAILABLE,
        "Server is stopping, scheduler for model '"
            + model
            + "' has stopped accepting new inference requests");
  }

  /** Answer to requests still queued when the scheduler is closed. */
  static InferenceError closed(String model) {
    return new InferenceError(
        ErrorCode.UNAVAILABLE,
        "scheduler for model '" + model + "' was closed before the request was executed");
  }

  /** A batch's execution failed: every request of the batch gets the backend's message. */
  static InferenceError executionFailed(Throwable cause) {
    String message = cause.getMessage();
    return new InferenceError(
        ErrorCode.INTERNAL, message != null ? message : cause.getClass().getName());
  }

  /**
   * A batch that failed around its execution (inputs or outputs): an exception's own message, an
   * error (out of memory, a fault) only as a short, fixed one.
   */
  static InferenceError notExecuted(Throwable cause) {
    if (cause instanceof Error) {
      return cause instanceof OutOfMemoryError
          ? new InferenceError(
              ErrorCode.INTERNAL, "the server ran out of memory while running this request")
          : WORKER_FAILED;
    }
    return executionFailed(cause);
  }

  /** Refusal once every instance of the scheduler was lost (hung, and none could replace it). */
  static InferenceError instancesLost(String schedulerName) {
    return new InferenceError(
        ErrorCode.UNAVAILABLE,
        "model '"
            + modelName(schedulerName)
            + "' has no instance left to run requests: every instance hung and none could be"
            + " replaced; load the model again");
  }

  /** A batch whose execution outlived the watchdog's timeout. */
  static InferenceError executionHung(String instance, long timeoutNanos) {
    return new InferenceError(
        ErrorCode.INTERNAL,
        "instance '"
            + instance
            + "' did not finish its batch within "
            + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms (execution timeout); the batch failed and the instance is replaced");
  }

  /**
   * The model name for messages: the scheduler name without a trailing {@code :<version>}, so that
   * "simple:1" reads as Triton's "model 'simple'".
   */
  static String modelName(String schedulerName) {
    int colon = schedulerName.lastIndexOf(':');
    if (colon <= 0 || colon == schedulerName.length() - 1) {
      return schedulerName;
    }
    for (int i = colon + 1; i < schedulerName.length(); i++) {
      if (!Character.isDigit(schedulerName.charAt(i))) {
        return schedulerName;
      }
    }
    return schedulerName.substring(0, colon);
  }
}
