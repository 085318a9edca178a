package io.tensorgate.server.threads;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the server's long-lived background work (drift, payload log, shadow mirror, routing and
 * repository loops) going through anything it throws, errors included: a drift thread that died on
 * an OutOfMemoryError used to stop drift detection silently.
 *
 * <p>A failure is counted in {@code tensorgate_background_thread_failures_total{thread}} and
 * logged: the first of a thread with its stack trace, later ones as one line at most once a minute.
 * A supervised thread then runs its loop again after a pause; a guarded task just returns, so that
 * an executor keeps its thread and a periodic schedule keeps running.
 *
 * <p>Thread-safe. Counters are registered once per thread name.
 */
public final class BackgroundThreads {
  private static final Logger log = LoggerFactory.getLogger(BackgroundThreads.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Pause before a failed loop runs again, so that a loop failing at once does not spin. */
  static final long RESTART_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final MeterRegistry registry;
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  public BackgroundThreads(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Starts a daemon thread named {@code name} that runs {@code loop} until it returns normally. If
   * the loop throws, the failure is counted and logged and, unless {@code stopping} says the owner
   * is stopping it, the loop runs again on the same thread after a short pause (with the thread's
   * interrupt status cleared: an interrupt is only how owners wake their threads).
   *
   * @return the started thread, for the owner to interrupt and join
   */
  public Thread start(String name, Runnable loop, BooleanSupplier stopping) {
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(stopping, "stopping");
    Failures f = failures(name);
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  loop.run();
                  return;
                } catch (Throwable e) {
                  f.record(e, stopping.getAsBoolean() ? "its owner stops it" : "restarting it");
                }
                if (stopping.getAsBoolean()) {
                  return;
                }
                LockSupport.parkNanos(RESTART_PAUSE_NANOS);
                Thread.interrupted();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Wraps a task for an executor: what it throws is counted under {@code name} and logged instead
   * of ending the executor's thread or cancelling a periodic schedule.
   */
  public Runnable guard(String name, Runnable task) {
    Objects.requireNonNull(task, "task");
    Failures f = failures(name);
    return () -> {
      try {
        task.run();
      } catch (Throwable e) {
        f.record(e, "the thread goes on with its next task");
      }
    };
  }

  /** Failures counted under {@code name} so far. */
  public long failureCount(String name) {
    Failures f = failures.get(name);
    return f == null ? 0 : (long) f.counter.count();
  }

  private Failures failures(String name) {
    Objects.requireNonNull(name, "name");
    return failures.computeIfAbsent(
        name,
        n ->
            new Failures(
                n,
                Counter.builder("tensorgate.background.thread.failures")
                    .description(
                        "Failures that a background thread or task survived: it was restarted or"
                            + " went on with its next task")
                    .tag("thread", n)
                    .register(registry)));
  }

  /** The failures of one thread or task: counted, and logged without flooding. */
  private static final class Failures {
    private final String name;
    private final Counter counter;
    // 0 until the first failure was logged; then the nanoTime before which nothing more is logged.
    private final AtomicLong quietUntil = new AtomicLong();

    Failures(String name, Counter counter) {
      this.name = name;
      this.counter = counter;
    }

    /**
     * @param outcome what happens next, for the log line
     */
    void record(Throwable e, String outcome) {
      counter.increment();
      long now = System.nanoTime();
      long until = quietUntil.get();
      if (until == 0) {
        if (quietUntil.compareAndSet(0, now + LOG_INTERVAL_NANOS)) {
          log.error("background thread '{}' failed; {}", name, outcome, e);
        }
        return;
      }
      if (now - until >= 0 && quietUntil.compareAndSet(until, now + LOG_INTERVAL_NANOS)) {
        log.error(
            "background thread '{}' failed again ({} failures so far); {}: {}",
            name,
            (long) counter.count(),
            outcome,
            e.toString());
      }
    }
  }
}
