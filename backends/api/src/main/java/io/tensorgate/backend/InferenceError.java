package io.tensorgate.backend;

import java.util.Objects;

/**
 * A failed request's code and message. Immutable, so frequent errors (e.g. a full queue) can be
 * shared constants instead of allocations on the overload path.
 */
public record InferenceError(ErrorCode code, String message) {
  public InferenceError {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /** An {@link InferenceException} carrying this error. */
  public InferenceException toException() {
    return new InferenceException(this);
  }
}
