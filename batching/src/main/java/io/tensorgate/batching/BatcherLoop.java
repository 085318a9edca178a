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

  private final Batcher batcher;
  private final RequestAccounting accounting;
  private final WorkerPool workers;
  private final BatcherWakeup wakeup;
  private final InferenceError closedError;
  private volatile boolean closing;

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
    closing = true;
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
    try {
      if (closing) {
        batcher.failQueued(closedError);
      }
      batcher.dispatch(System.nanoTime());
      return batcher.progressed();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "batcher failed; continuing", e);
      return false;
    }
  }

  /** Runs the batcher once more after announcing the sleep; how long to sleep. */
  private long stepForSleep() {
    try {
      if (closing) {
        batcher.failQueued(closedError);
      }
      long sleep = batcher.dispatch(System.nanoTime());
      return batcher.progressed() ? 0 : sleep;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "batcher failed; continuing", e);
      return 0;
    }
  }
}
