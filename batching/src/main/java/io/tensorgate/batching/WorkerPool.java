package io.tensorgate.batching;

import java.util.List;

/**
 * The instance workers of one scheduler, as the batcher sees them: which one is idle. Batcher
 * thread only, except {@link #stopAll} and {@link #interruptAll}.
 */
final class WorkerPool {
  private final InstanceWorker[] workers;
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

  /** An idle worker, trying them in turn so that load spreads; null when all are busy. */
  InstanceWorker idle() {
    for (int i = 0; i < workers.length; i++) {
      int index = nextStart + i;
      if (index >= workers.length) {
        index -= workers.length;
      }
      if (workers[index].idle()) {
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
