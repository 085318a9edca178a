package io.tensorgate.batching;

import com.google.errorprone.annotations.concurrent.GuardedBy;

/**
 * Answers batches in the order the batcher dispatched them, whichever instance finishes first
 * (Triton's {@code preserve_ordering}). A worker whose batch finished early parks the batch here
 * and stays busy; the worker that completes the oldest outstanding batch answers it and every
 * finished batch after it, then frees their workers.
 *
 * <p>Each worker holds at most one unanswered batch, so the outstanding batches' ordinals lie
 * within {@code workers} of the next one to answer, and a slot array of that size suffices.
 */
final class OrderedDelivery implements Delivery {
  @GuardedBy("this")
  private final InstanceWorker[] finished;

  @GuardedBy("this")
  private long next;

  OrderedDelivery(int workers) {
    this.finished = new InstanceWorker[workers];
  }

  @Override
  public synchronized void completed(InstanceWorker worker) {
    finished[slot(worker.plan.ordinal())] = worker;
    InstanceWorker w;
    // Listeners must not block (ResponseListener's contract), so answering under the lock is brief.
    while ((w = finished[slot(next)]) != null && w.plan.ordinal() == next) {
      finished[slot(next)] = null;
      next++;
      w.answer();
      w.release();
    }
  }

  @GuardedBy("this")
  private int slot(long ordinal) {
    return (int) (ordinal % finished.length);
  }
}
