package io.tensorgate.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;

/** Maps Tensorgate's error codes to gRPC statuses of the same name. */
final class Statuses {
  private Statuses() {}

  static Status toStatus(ErrorCode code) {
    switch (code) {
      case INVALID_ARGUMENT:
        return Status.INVALID_ARGUMENT;
      case NOT_FOUND:
        return Status.NOT_FOUND;
      case UNAVAILABLE:
        return Status.UNAVAILABLE;
      case RESOURCE_EXHAUSTED:
        return Status.RESOURCE_EXHAUSTED;
      case CANCELLED:
        return Status.CANCELLED;
      case DEADLINE_EXCEEDED:
        return Status.DEADLINE_EXCEEDED;
      case UNIMPLEMENTED:
        return Status.UNIMPLEMENTED;
      case ALREADY_EXISTS:
        return Status.ALREADY_EXISTS;
      default:
        return Status.INTERNAL;
    }
  }

  static StatusRuntimeException toException(InferenceError e) {
    return toStatus(e.code()).withDescription(e.message()).asRuntimeException();
  }

  static StatusRuntimeException toException(InferenceException e) {
    return toException(e.error());
  }
}
