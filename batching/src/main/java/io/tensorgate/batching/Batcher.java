package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;

/**
 * The batch-forming policy the batcher thread runs: dynamic batching (which also serves models
 * without batching) or sequence batching. All methods run on the batcher thread only.
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

  /** Whether the last {@link #dispatch} changed anything (dispatched, answered or moved). */
  boolean progressed();

  /** Answers every queued request with {@code error}; used when the scheduler is closed. */
  void failQueued(InferenceError error);
}
