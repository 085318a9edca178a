package io.tensorgate.batching;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that watches a scheduler's executions: a batch still executing {@code timeoutNanos}
 * after it started fails with INTERNAL, and its instance is replaced through the {@link
 * Replacement} (the hung thread is abandoned: Java cannot stop a stuck native call).
 *
 * <p>It wakes every quarter of the timeout (between 1 ms and 1 s); the timeout is a bound in the
 * order of minutes by default, so the check costs nothing on the request path.
 */
final class ExecutionWatchdog implements Runnable {
  private static final System.Logger LOG = System.getLogger(ExecutionWatchdog.class.getName());

  /** Puts a new worker in the place of an abandoned one; watchdog thread. */
  interface Replacement {
    void replace(int index, InstanceWorker hung);
  }

  private final WorkerPool workers;
  private final long timeoutNanos;
  private final long intervalNanos;
  private final Replacement replacement;
  private final FailureLog failures = new FailureLog("execution watchdog: a check failed");
  private volatile boolean stopping;
  private volatile Thread thread;

  ExecutionWatchdog(WorkerPool workers, long timeoutNanos, Replacement replacement) {
    this.workers = Objects.requireNonNull(workers, "workers");
    this.replacement = Objects.requireNonNull(replacement, "replacement");
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos " + timeoutNanos + " is not positive");
    }
    this.timeoutNanos = timeoutNanos;
    this.intervalNanos =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(1),
            Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 4));
  }

  /** Sets the thread that runs this watchdog; called once, before it starts. */
  void bind(Thread t) {
    this.thread = t;
  }

  void stop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    while (!stopping && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(this, intervalNanos);
      try {
        check(System.nanoTime());
      } catch (Throwable t) {
        // A dead watchdog would leave every later hang unanswered.
        failures.record(t);
      }
    }
  }

  /** Checks that threw and that the watchdog survived. */
  long failures() {
    return failures.count();
  }

  /** One look at every worker; any thread (tests call it directly). */
  void check(long now) {
    for (int i = 0; i < workers.size(); i++) {
      InstanceWorker w = workers.get(i);
      if (stopping || !w.abandonIfHung(now, timeoutNanos)) {
        continue;
      }
      String name = w.instance().placement().name();
      LOG.log(
          Level.ERROR,
          "instance {0} exceeded the execution timeout of {1} ms; failing its batch and replacing it",
          name,
          TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
      try {
        w.failAbandoned(SchedulerErrors.executionHung(name, timeoutNanos));
      } finally {
        replacement.replace(i, w);
      }
    }
  }
}
