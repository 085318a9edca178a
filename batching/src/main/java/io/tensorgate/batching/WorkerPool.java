package io.tensorgate.batching;

import java.util.List;

/**
 * The instance workers of one scheduler, as the batcher sees them: which one is idle. Batcher
 * thread only, except {@link #stopAll} and {@link #interruptAll}.
 */
final class WorkerPool {
  private final InstanceWorker[] workers;
  // Only a rotation hint; racy updates from several claiming threads are harmless.
  private int nextStart;

  WorkerPool(List<InstanceWorker> workers) {
    this.workers = workers.toArray(new InstanceWorker[0]);
  }

  int size() {
    return workers.length;
  }

  InstanceWorker get(int index) {
    return workers[index];
  }

  /**
   * Claims an idle worker (see {@link InstanceWorker#tryClaim}), trying them in turn so that load
   * spreads; null when none is idle. Any thread.
   */
  InstanceWorker claimIdle() {
    for (int i = 0; i < workers.length; i++) {
      int index = nextStart + i;
      if (index >= workers.length) {
        index -= workers.length;
      }
      if (workers[index].tryClaim()) {
        nextStart = index + 1 == workers.length ? 0 : index + 1;
        return workers[index];
      }
    }
    return null;
  }

  void stopAll() {
    for (InstanceWorker w : workers) {
      w.stop();
    }
  }

  void interruptAll() {
    for (InstanceWorker w : workers) {
      w.interrupt();
    }
  }
}
