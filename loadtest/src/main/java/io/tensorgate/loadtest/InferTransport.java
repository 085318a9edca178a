package io.tensorgate.loadtest;

import io.grpc.Status;
import io.tensorgate.proto.inference.ModelInferRequest;

/** Sends one inference request and reports its outcome; unary ModelInfer or a stream. */
interface InferTransport extends AutoCloseable {

  /** Receives the outcome of one request, exactly once, on a gRPC thread or the caller's. */
  interface Callback {
    /**
     * @param status {@link Status#OK} on success, else the failure
     * @param endNanos {@link System#nanoTime()} when the outcome arrived
     */
    void onComplete(Status status, long endNanos);
  }

  /** Sends without blocking; the callback may run before this method returns. Thread-safe. */
  void infer(ModelInferRequest request, Callback callback);

  /** Ends open streams; outstanding callbacks complete with an error. */
  @Override
  void close();
}
