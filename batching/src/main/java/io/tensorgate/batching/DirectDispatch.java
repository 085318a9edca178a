package io.tensorgate.batching;

import java.util.Objects;

/**
 * The idle fast path: when nothing is queued and an instance is idle, the submitting thread hands
 * the request to that instance itself. An idle server so dispatches at once and saves the hop
 * through the batcher thread (one park/unpark, tens of microseconds on a busy machine); under load
 * the queues are not empty and requests take the ring, where batches grow.
 *
 * <p>Only for schedulers where one request alone is a valid batch at any time: no sequence
 * batching, no ordered delivery across instances, no DELAY side queues (which live on the batcher
 * thread). Submitting threads claim the worker with a CAS, as the batcher does, so a plan is never
 * filled by two threads.
 *
 * <p>With inline execution the submitting thread also executes the request and answers it before
 * {@link #tryDispatch} returns, saving the hand-off to the worker's thread and back: for models
 * whose execution takes microseconds. The caller's thread (a transport event loop) is held for the
 * whole execution, so it is a per-model choice, off by default.
 */
final class DirectDispatch {
  private final PriorityLevel[] levels;
  private final WorkerPool workers;
  private final RequestAccounting accounting;
  private final BatcherWakeup wakeup;
  private final boolean inline;
  private final WorkerCpuTime cpuTime;

  /**
   * @param inline whether the submitting thread executes the request itself
   * @param cpuTime counts the CPU time of inline executions, which no worker thread's clock holds
   */
  DirectDispatch(
      PriorityLevel[] levels,
      WorkerPool workers,
      RequestAccounting accounting,
      BatcherWakeup wakeup,
      boolean inline,
      WorkerCpuTime cpuTime) {
    this.inline = inline;
    this.cpuTime = Objects.requireNonNull(cpuTime, "cpuTime");
    this.levels = levels.clone();
    this.workers = Objects.requireNonNull(workers, "workers");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.wakeup = Objects.requireNonNull(wakeup, "wakeup");
  }

  /**
   * Hands the request straight to an idle instance.
   *
   * @return true when it did (the scheduler owns the request; with inline execution it was also
   *     executed and answered); false to queue it as usual
   */
  boolean tryDispatch(InferenceRequest request, long now) {
    if (!queuesEmpty() || request.cancellation().isCancelled()) {
      return false;
    }
    InstanceWorker worker = workers.claimIdle();
    if (worker == null) {
      return false;
    }
    if (!queuesEmpty()) {
      // A request queued meanwhile goes first; the batcher may have missed the worker we held.
      worker.unclaim();
      wakeup.signal();
      return false;
    }
    worker.plan.add(request);
    request.markDispatched(now);
    accounting.dispatched(1);
    if (inline) {
      long cpu = cpuTime.currentThreadNanos();
      try {
        worker.runInline();
      } finally {
        cpuTime.addInline(cpuTime.currentThreadNanos() - cpu);
      }
    } else {
      worker.assign();
    }
    return true;
  }

  private boolean queuesEmpty() {
    for (PriorityLevel level : levels) {
      if (level.ring.getCursor() != level.consumed.get()) {
        return false;
      }
    }
    return true;
  }
}
