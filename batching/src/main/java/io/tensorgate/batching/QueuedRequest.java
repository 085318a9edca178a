package io.tensorgate.batching;

/**
 * One ring slot: an accepted request and what the queue needs to know about it. Written by the
 * submitting thread between {@code tryNext} and {@code publish}; read and cleared by the batcher
 * thread, which nulls the references as soon as the request leaves the queue so that the ring keeps
 * no request alive.
 */
final class QueuedRequest {
  InferenceRequest request;

  /** When the request entered the queue, on the {@link System#nanoTime()} clock. */
  long enqueueNanos;

  /** Whether the request has a queue timeout. */
  boolean hasTimeout;

  /** When its queue timeout expires; meaningful only with {@link #hasTimeout}. */
  long timeoutNanos;

  /** The sequence the request belongs to; sequence scheduler only. */
  ActiveSequence sequence;

  void set(InferenceRequest request, long enqueueNanos, boolean hasTimeout, long timeoutNanos) {
    this.request = request;
    this.enqueueNanos = enqueueNanos;
    this.hasTimeout = hasTimeout;
    this.timeoutNanos = timeoutNanos;
  }

  void clear() {
    request = null;
    sequence = null;
  }
}
