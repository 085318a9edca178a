package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * The batcher thread of one scheduler: runs its {@link Batcher} whenever something changed, and
 * sleeps (parked, never spinning or sleeping a fixed time) until the next request, free instance or
 * deadline. Once the scheduler stopped accepting and every accepted request was answered, it stops
 * the instance workers and ends.
 */
final class BatcherLoop implements Runnable {
  private static final System.Logger LOG = System.getLogger(BatcherLoop.class.getName());
  // After a failed step, pause briefly rather than fail again in a hot loop.
  private static final long FAILED_STEP_PAUSE_NANOS = 1_000_000L;

  private final Batcher batcher;
  private final RequestAccounting accounting;
  private final WorkerPool workers;
  private final BatcherWakeup wakeup;
  private final InferenceError closedError;
  // Set once queued requests must be answered with it instead of executed; null until then.
  private volatile InferenceError closingError;

  BatcherLoop(
      Batcher batcher,
      RequestAccounting accounting,
      WorkerPool workers,
      BatcherWakeup wakeup,
      InferenceError closedError) {
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.wakeup = Objects.requireNonNull(wakeup, "wakeup");
    this.closedError = Objects.requireNonNull(closedError, "closedError");
  }

  /** From now on, queued requests are answered with the closed error instead of executed. */
  void close() {
    failQueued(closedError);
  }

  /** From now on, queued requests are answered with {@code error} instead of executed. */
  void failQueued(InferenceError error) {
    closingError = Objects.requireNonNull(error, "error");
    wakeup.signal();
  }

  @Override
  public void run() {
    try {
      while (!accounting.drained()) {
        if (step() && !accounting.drained()) {
          continue;
        }
        // Announce the sleep, then look once more: what arrives after this look signals us.
        wakeup.prepare();
        long sleep = accounting.drained() ? 0 : stepForSleep();
        wakeup.await(sleep);
      }
    } finally {
      workers.stopAll();
    }
  }

  /** Runs the batcher once; whether it changed anything. */
  private boolean step() {
    return stepForSleep() == 0;
  }

  /**
   * Runs the batcher once: after {@link #close}, only to answer what is queued. Returns how long
   * the loop may sleep: 0 when the step changed something, so that it looks again at once.
   */
  private long stepForSleep() {
    try {
      InferenceError closing = closingError;
      if (closing != null) {
        batcher.failQueued(closing);
        return batcher.progressed() ? 0 : Long.MAX_VALUE;
      }
      long sleep = batcher.dispatch(System.nanoTime());
      return batcher.progressed() ? 0 : sleep;
    } catch (Throwable t) {
      // The loop must outlive a bug in one step, or every queued request would hang.
      LOG.log(Level.ERROR, "batcher failed; continuing", t);
      return FAILED_STEP_PAUSE_NANOS;
    }
  }
}
