package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} made of an {@link Admission} into Disruptor rings, one batcher thread running
 * a {@link Batcher}, and one worker thread per model instance.
 *
 * <p>Request path: the submitting thread publishes to a ring and returns; the batcher thread forms
 * a batch when an instance is idle and hands it to that instance's worker; the worker executes it
 * and calls the listeners. When nothing is queued and an instance is idle, the submitting thread
 * hands the request over itself ({@link DirectDispatch}). Nothing blocks on the way in.
 */
final class DisruptorScheduler implements Scheduler {
  /** How long {@link #close} waits for executing batches before interrupting the workers. */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  private final Admission admission;
  private final RequestAccounting accounting;
  private final WorkerPool workers;
  private final BatcherLoop loop;
  private final Thread batcherThread;
  private final CountDownLatch terminated;
  private final InferenceError stoppedError;
  private final DirectDispatch direct;

  DisruptorScheduler(
      String name,
      Admission admission,
      Batcher batcher,
      RequestAccounting accounting,
      WorkerPool workers,
      BatcherWakeup wakeup,
      DirectDispatch direct) {
    this.direct = direct;
    this.admission = Objects.requireNonNull(admission, "admission");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.workers = Objects.requireNonNull(workers, "workers");
    String model = SchedulerErrors.modelName(name);
    this.stoppedError = SchedulerErrors.stopped(model);
    this.loop =
        new BatcherLoop(batcher, accounting, workers, wakeup, SchedulerErrors.closed(model));
    this.terminated = new CountDownLatch(1 + workers.size());
    for (int i = 0; i < workers.size(); i++) {
      InstanceWorker worker = workers.get(i);
      worker.bind(thread(worker, name + "-instance-" + i));
    }
    this.batcherThread = thread(loop, name + "-batcher");
    wakeup.bind(batcherThread);
    for (int i = 0; i < workers.size(); i++) {
      workers.get(i).thread().start();
    }
    batcherThread.start();
  }

  private Thread thread(Runnable body, String threadName) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } finally {
                terminated.countDown();
              }
            },
            threadName);
    t.setDaemon(true);
    return t;
  }

  @Override
  public InferenceError submit(InferenceRequest request) {
    Objects.requireNonNull(request, "request");
    if (!accounting.enter()) {
      return stoppedError;
    }
    long now = System.nanoTime();
    if (direct != null && direct.tryDispatch(request, now)) {
      return null;
    }
    InferenceError refusal = admission.offer(request, now);
    if (refusal != null) {
      accounting.refused();
    }
    return refusal;
  }

  @Override
  public int queueDepth() {
    return accounting.queueDepth();
  }

  @Override
  public int pendingCount() {
    return accounting.pendingCount();
  }

  /** Listener calls that threw; for tests and diagnostics. */
  long listenerFailures() {
    return accounting.listenerFailures();
  }

  @Override
  public void shutdown() {
    accounting.stopAccepting();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  @Override
  public void close() {
    shutdown();
    loop.close();
    boolean interrupted = false;
    try {
      if (!terminated.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        workers.interruptAll();
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
