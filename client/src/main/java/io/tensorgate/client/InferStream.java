package io.tensorgate.client;

import java.util.concurrent.CompletableFuture;

/**
 * An open ModelStreamInfer call: requests go out in the order sent, and each is answered through
 * its own future, in the order the server finishes them. Answers are matched to requests by id: a
 * request sent without one gets a unique id for the stream's sake (its result still reports an
 * empty id), and sending an id that is still waiting for its answer is refused.
 *
 * <p>The future is the per-request callback: {@code stream.send(r).whenComplete((result, error) ->
 * ...)}. It completes on a gRPC thread. A failed request fails only its own future, with {@link
 * InferenceServerException} whose code is {@code UNKNOWN} (the protocol sends only a message); the
 * stream stays open. Cancelling a future stops waiting but cannot recall the request; {@link
 * #cancel()} ends the whole call. One answer per request: Triton's decoupled models, which answer
 * several times, are not supported. Thread-safe.
 */
public interface InferStream extends AutoCloseable {
  /**
   * Sends a request on the stream.
   *
   * @return the answer; fails with {@link IllegalStateException} when the stream is closed
   * @throws IllegalArgumentException when the request's id is already waiting for an answer
   */
  CompletableFuture<InferResult> send(InferRequest request);

  /**
   * Ends the sending side: requests already sent are still answered, then the server ends the
   * stream. Idempotent; does not wait.
   */
  @Override
  void close();

  /** Cancels the call: every request still waiting fails with {@code CANCELLED}. */
  void cancel();

  /** Completes when the server has ended the stream, exceptionally when the call failed. */
  CompletableFuture<Void> completion();
}
