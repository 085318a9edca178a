package io.tensorgate.backend;

/**
 * An {@link InferenceError} thrown: a request cannot proceed, with the code and message to send.
 */
public class InferenceException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient InferenceError error;

  public InferenceException(InferenceError error) {
    super(error.message());
    this.error = error;
  }

  public InferenceException(ErrorCode code, String message) {
    this(new InferenceError(code, message));
  }

  public InferenceError error() {
    return error;
  }

  public ErrorCode code() {
    return error.code();
  }
}
