package io.tensorgate.server.observe;

import io.grpc.Context;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import java.util.List;

/**
 * One answered inference, as {@link RequestObserver}s see it: a view of the request's own state, so
 * that telling observers allocates nothing. Valid only during {@link RequestObserver#onComplete}:
 * an observer that keeps anything (tensor bytes above all, which may be the network's buffers)
 * copies what it needs.
 */
public interface CompletedRequest {
  /** The version that answered. */
  LoadedVersion version();

  /** How the router chose it. */
  String routeReason();

  /** The request as received. */
  ModelInferRequest wire();

  /** The decoded request, or {@code null} when decoding failed. */
  DecodedRequest decoded();

  /** The outputs sent, or {@code null} on failure. */
  List<Tensor> outputs();

  /** The failure, or {@code null} on success. */
  InferenceError error();

  /** When the request arrived ({@link System#nanoTime()} clock). */
  long arrivalNanos();

  /** When it left the queue, 0 if it never did. */
  long dispatchNanos();

  /** The timestamps of its execution, or {@code null}. */
  ExecutionTimestamps execution();

  /** The size of the batch it executed in, 0 if none. */
  int batchSize();

  /** When the answer was sent. */
  long endNanos();

  /** The gRPC context of the call (headers copied by interceptors). */
  Context grpcContext();

  default boolean succeeded() {
    return error() == null;
  }
}
