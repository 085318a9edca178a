package io.tensorgate.loadtest;

import io.grpc.Status;

/** Sends calls of one method to one server and reports each call's outcome. Thread-safe. */
interface CallTransport extends AutoCloseable {

  /** Receives the outcome of one call, exactly once. */
  interface Callback {
    /**
     * Called on the event loop of the call's connection, or on the sending thread when the call
     * fails before it leaves.
     *
     * @param status {@link Status#OK} on success, else the failure
     * @param endNanos {@link System#nanoTime()} when the outcome arrived
     */
    void onComplete(Status status, long endNanos);
  }

  /**
   * Sends one call without blocking; the callback may run before this method returns.
   *
   * @param lane picks the connection ({@code lane % connections}), so that the calls of one lane
   *     always complete on the same thread
   */
  void send(EncodedRequest request, int lane, Callback callback);

  /**
   * Ends every call in flight with {@code status} (and resets its stream); connections stay open.
   * Returns at once; the callbacks run on the event loops.
   */
  void cancelAll(Status status);

  /** Closes the connections; calls still outstanding complete with UNAVAILABLE. */
  @Override
  void close();
}
