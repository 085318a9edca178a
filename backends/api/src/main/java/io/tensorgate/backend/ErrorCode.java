package io.tensorgate.backend;

/**
 * Why a request failed, in the vocabulary of the gRPC status codes Triton uses. Modules below the
 * server do not see gRPC; the server maps each code to the status of the same name.
 */
public enum ErrorCode {
  INVALID_ARGUMENT,
  NOT_FOUND,
  UNAVAILABLE,
  RESOURCE_EXHAUSTED,
  CANCELLED,
  DEADLINE_EXCEEDED,
  UNIMPLEMENTED,
  ALREADY_EXISTS,
  INTERNAL
}
