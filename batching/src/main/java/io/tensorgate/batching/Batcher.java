package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;

/**
 * The batch-forming policy the batcher thread runs: dynamic batching (which also serves models
 * without batching) or sequence batching. All methods run on the batcher thread only, except {@link
 * #refill}.
 */
interface Batcher {
  /**
   * Looks at the queues: drops requests that were cancelled or expired, and hands batches to idle
   * instance workers for as long as both exist.
   *
   * @param now the current {@link System#nanoTime()}
   * @return how long the batcher may sleep before a deadline of its own (a queue delay, a queue
   *     timeout, an idle sequence) needs it; {@link Long#MAX_VALUE} when none does
   */
  long dispatch(long now);

  /**
   * Called by an instance worker that just answered its batch, on its own thread: if requests are
   * queued, forms the worker's next batch and hands it to that same worker, which then runs it
   * without parking (two thread hops fewer per batch under load). Must exclude {@link #dispatch}
   * while it forms the batch.
   *
   * @return whether the worker got a batch; if not, it goes idle as usual. The default hands none:
   *     batches are formed on the batcher thread only.
   */
  default boolean refill(InstanceWorker worker, long now) {
    return false;
  }

  /** Whether the last {@link #dispatch} changed anything (dispatched, answered or moved). */
  boolean progressed();

  /** Answers every queued request with {@code error}; used when the scheduler is closed. */
  void failQueued(InferenceError error);
}
