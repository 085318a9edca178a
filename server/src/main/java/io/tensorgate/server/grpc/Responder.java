package io.tensorgate.server.grpc;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.proto.inference.ModelInferResponse;

/**
 * Where one inference's answer goes: a unary call, or one message of a stream. Called exactly once
 * per request, from whichever thread finished it.
 */
interface Responder {
  void respond(ModelInferResponse response);

  void fail(InferenceError error);

  /** Whether the caller gave up (cancelled call, closed stream). Thread-safe and cheap. */
  boolean isCancelled();
}
