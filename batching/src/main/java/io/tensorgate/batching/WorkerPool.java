package io.tensorgate.batching;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The instance workers of one scheduler, as the batcher sees them: which one is idle. Batcher
 * thread only, except {@link #stopAll} and {@link #interruptAll}.
 */
final class WorkerPool {
  // Atomic slots: the watchdog swaps a hung worker for a new one while others claim.
  private final AtomicReferenceArray<InstanceWorker> workers;
  // Only a rotation hint; racy updates from several claiming threads are harmless.
  private int nextStart;

  WorkerPool(List<InstanceWorker> workers) {
    this.workers = new AtomicReferenceArray<>(workers.toArray(new InstanceWorker[0]));
  }

  int size() {
    return workers.length();
  }

  InstanceWorker get(int index) {
    return workers.get(index);
  }

  /** Puts a started worker in the place of an abandoned one. */
  void replace(int index, InstanceWorker worker) {
    workers.set(index, worker);
  }

  /**
   * Claims an idle worker (see {@link InstanceWorker#tryClaim}), trying them in turn so that load
   * spreads; null when none is idle. Any thread.
   */
  InstanceWorker claimIdle() {
    int n = workers.length();
    for (int i = 0; i < n; i++) {
      int index = nextStart + i;
      if (index >= n) {
        index -= n;
      }
      InstanceWorker w = workers.get(index);
      if (w.tryClaim()) {
        nextStart = index + 1 == n ? 0 : index + 1;
        return w;
      }
    }
    return null;
  }

  void stopAll() {
    for (int i = 0; i < workers.length(); i++) {
      workers.get(i).stop();
    }
  }

  void interruptAll() {
    for (int i = 0; i < workers.length(); i++) {
      workers.get(i).interrupt();
    }
  }
}
