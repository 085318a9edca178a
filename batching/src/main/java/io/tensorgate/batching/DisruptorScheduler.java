package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.ModelInstance;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A {@link Scheduler} made of an {@link Admission} into Disruptor rings, one batcher thread running
 * a {@link Batcher}, and one worker thread per model instance.
 *
 * <p>Request path: the submitting thread publishes to a ring and returns; the batcher thread forms
 * a batch when an instance is idle and hands it to that instance's worker; the worker executes it
 * and calls the listeners. When nothing is queued and an instance is idle, the submitting thread
 * hands the request over itself ({@link DirectDispatch}), or with inline execution runs it itself.
 * Nothing else blocks on the way in.
 *
 * <p>With a {@link QueueWaitLimit}, a request that would wait too long is refused before it is
 * queued.
 *
 * <p>With a {@link Supervision}, an {@link ExecutionWatchdog} thread fails batches that execute for
 * longer than the timeout and puts a new worker, on a new instance, in the hung one's place. When
 * no replacement can be made for the last instance in service, the scheduler has lost its
 * instances: queued requests and every later one are answered UNAVAILABLE at once, and {@link
 * #liveInstances()} says 0 (the server then reports the version not ready).
 */
final class DisruptorScheduler implements Scheduler {
  private static final System.Logger LOG = System.getLogger(DisruptorScheduler.class.getName());

  /**
   * What the watchdog needs: the timeout, who makes replacement instances, and how a worker for one
   * is built (configured like the others, not yet started).
   */
  record Supervision(
      long timeoutNanos,
      InstanceSupervisor supervisor,
      Function<ModelInstance, InstanceWorker> workerFactory) {
    Supervision {
      Objects.requireNonNull(supervisor, "supervisor");
      Objects.requireNonNull(workerFactory, "workerFactory");
    }
  }

  /** How long {@link #close} waits for executing batches before interrupting the workers. */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  private final Admission admission;
  private final RequestAccounting accounting;
  private final WorkerPool workers;
  private final BatcherLoop loop;
  private final Thread batcherThread;
  private final String name;
  private final BatcherWakeup wakeup;
  // One party per live batcher and worker thread: replacements register, abandoned ones leave.
  private final Phaser terminated;
  private final Supervision supervision;
  private final ExecutionWatchdog watchdog;
  private volatile boolean closing;
  private final InferenceError stoppedError;
  private final InferenceError lostError;
  private final DirectDispatch direct;
  private final QueueWaitLimit waitLimit;
  // Instances not abandoned by the watchdog; changed only on the watchdog thread.
  private final AtomicInteger live;
  private volatile boolean lost;
  private final WorkerCpuTime cpuTime;

  DisruptorScheduler(
      String name,
      Admission admission,
      Batcher batcher,
      RequestAccounting accounting,
      WorkerPool workers,
      BatcherWakeup wakeup,
      DirectDispatch direct,
      Supervision supervision,
      QueueWaitLimit waitLimit,
      WorkerCpuTime cpuTime) {
    this.cpuTime = Objects.requireNonNull(cpuTime, "cpuTime");
    this.direct = direct;
    this.waitLimit = waitLimit;
    this.name = Objects.requireNonNull(name, "name");
    this.wakeup = Objects.requireNonNull(wakeup, "wakeup");
    this.supervision = supervision;
    this.admission = Objects.requireNonNull(admission, "admission");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.workers = Objects.requireNonNull(workers, "workers");
    String model = SchedulerErrors.modelName(name);
    this.stoppedError = SchedulerErrors.stopped(model);
    this.lostError = SchedulerErrors.instancesLost(name);
    this.live = new AtomicInteger(workers.size());
    this.loop =
        new BatcherLoop(batcher, accounting, workers, wakeup, SchedulerErrors.closed(model));
    this.terminated = new Phaser(1 + workers.size());
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
    if (supervision != null && supervision.timeoutNanos() > 0) {
      watchdog = new ExecutionWatchdog(workers, supervision.timeoutNanos(), this::replace);
      Thread t = new Thread(watchdog, name + "-watchdog");
      t.setDaemon(true);
      watchdog.bind(t);
      t.start();
    } else {
      watchdog = null;
    }
  }

  /** Watchdog thread: the worker at {@code index} hung and its batch was failed. */
  private void replace(int index, InstanceWorker hung) {
    live.decrementAndGet();
    try {
      if (closing) {
        return;
      }
      ModelInstance fresh;
      try {
        fresh = supervision.supervisor().replace(index, hung.instance());
      } catch (Throwable e) {
        LOG.log(
            Level.ERROR,
            "could not replace hung instance " + index + " of " + name + "; running without it",
            e);
        if (live.get() == 0) {
          instancesLost();
        }
        return;
      }
      InstanceWorker worker = supervision.workerFactory().apply(fresh);
      terminated.register();
      worker.bind(thread(worker, name + "-instance-" + index + "-replaced"));
      workers.replace(index, worker);
      worker.thread().start();
      live.incrementAndGet();
      wakeup.signal();
      LOG.log(Level.WARNING, "replaced hung instance " + index + " of " + name);
    } finally {
      // The abandoned thread may never return; it leaves the count now (see thread()).
      terminated.arriveAndDeregister();
    }
  }

  /** Watchdog thread: no instance is left; answer what is queued and refuse what comes. */
  private void instancesLost() {
    lost = true;
    LOG.log(
        Level.ERROR,
        "every instance of "
            + name
            + " is lost; its requests are refused with UNAVAILABLE until it is loaded again");
    loop.failQueued(lostError);
  }

  private Thread thread(Runnable body, String threadName) {
    Thread t =
        new Thread(
            () -> {
              boolean worker = body instanceof InstanceWorker;
              if (worker) {
                cpuTime.started();
              }
              try {
                body.run();
              } finally {
                if (worker) {
                  cpuTime.ended();
                }
                // An abandoned worker was already counted out by replace().
                if (!(body instanceof InstanceWorker w && w.abandoned())) {
                  terminated.arriveAndDeregister();
                }
              }
            },
            threadName);
    t.setDaemon(true);
    return t;
  }

  @Override
  public InferenceError submit(InferenceRequest request) {
    Objects.requireNonNull(request, "request");
    if (lost) {
      return lostError;
    }
    if (!accounting.enter()) {
      return stoppedError;
    }
    long now = System.nanoTime();
    if (direct != null && direct.tryDispatch(request, now)) {
      return null;
    }
    InferenceError refusal =
        waitLimit == null
            ? null
            : waitLimit.check(request, now, accounting.queueDepth(), live.get());
    if (refusal == null) {
      refusal = admission.offer(request, now);
    }
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
  public int liveInstances() {
    return lost ? 0 : live.get();
  }

  @Override
  public LongSupplier workerCpuTime() {
    return cpuTime;
  }

  @Override
  public long failures() {
    return accounting.failures() + (watchdog == null ? 0 : watchdog.failures());
  }

  @Override
  public void shutdown() {
    accounting.stopAccepting();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      terminated.awaitAdvanceInterruptibly(0, timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() {
    closing = true;
    if (watchdog != null) {
      watchdog.stop();
    }
    shutdown();
    loop.close();
    boolean interrupted = false;
    try {
      if (!awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
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
