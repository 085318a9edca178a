package io.tensorgate.client;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A call the server (or the channel to it) refused: the gRPC status code and the server's message,
 * which for Triton and Tensorgate is Triton's wording (e.g. INVALID_ARGUMENT {@code "unexpected
 * shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,15]"}). Every call of the
 * client reports failures with this one type.
 *
 * <p>Errors answered inside an inference stream carry Triton's message but no status code (the
 * protocol sends none there); their {@link #code()} is {@code UNKNOWN}.
 */
public class InferenceServerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String serverMessage;

  /**
   * An error with a status code and the server's message.
   *
   * @param code the gRPC status code
   * @param serverMessage the server's message (the status description), possibly empty
   * @param cause the underlying exception, or {@code null}
   */
  public InferenceServerException(Status.Code code, String serverMessage, Throwable cause) {
    super(code + (serverMessage.isEmpty() ? "" : ": " + serverMessage), cause);
    this.code = code;
    this.serverMessage = serverMessage;
  }

  /** The gRPC status code, e.g. {@code INVALID_ARGUMENT} or {@code UNAVAILABLE}. */
  public Status.Code code() {
    return code;
  }

  /** The server's message without the code (Triton's wording for Triton's errors). */
  public String serverMessage() {
    return serverMessage;
  }

  /** The status as gRPC would report it. */
  public Status status() {
    return Status.fromCode(code).withDescription(serverMessage);
  }

  /** The exception for any failure of a call: a gRPC status, a cancellation or anything else. */
  static InferenceServerException from(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof InferenceServerException e) {
      return e;
    }
    Status status = null;
    if (cause instanceof StatusRuntimeException e) {
      status = e.getStatus();
    } else if (cause instanceof StatusException e) {
      status = e.getStatus();
    } else if (cause instanceof CancellationException) {
      status = Status.CANCELLED.withDescription("cancelled by the client");
    } else {
      status = Status.fromThrowable(cause);
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    return new InferenceServerException(status.getCode(), description, cause);
  }
}
