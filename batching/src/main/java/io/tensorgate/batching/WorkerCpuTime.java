package io.tensorgate.batching;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The CPU time a scheduler's instance worker threads have used: live threads' clocks read when
 * asked, ended threads' as they ended. Read by metrics and cost windows, never per execution, so
 * that accounting costs the request path nothing. Each thread enters with {@link #started} and
 * leaves with {@link #ended}, both on that thread. Never decreases.
 */
final class WorkerCpuTime implements LongSupplier {
  // Null when this JVM cannot measure thread CPU time: every read is then 0.
  private final ThreadMXBean threads;

  @GuardedBy("this")
  private final Set<Thread> live = new HashSet<>();

  @GuardedBy("this")
  private long ended;

  @GuardedBy("this")
  private long last;

  WorkerCpuTime() {
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    this.threads =
        t.isThreadCpuTimeSupported()
                && t.isCurrentThreadCpuTimeSupported()
                && t.isThreadCpuTimeEnabled()
            ? t
            : null;
  }

  /** The calling thread starts working for the scheduler. */
  synchronized void started() {
    if (threads != null) {
      live.add(Thread.currentThread());
    }
  }

  /** The calling thread ends: its CPU time so far stays counted. */
  synchronized void ended() {
    if (threads != null && live.remove(Thread.currentThread())) {
      ended += Math.max(0, threads.getCurrentThreadCpuTime());
    }
  }

  /** CPU nanoseconds used so far by the threads that started. */
  @Override
  public synchronized long getAsLong() {
    if (threads == null) {
      return 0;
    }
    long sum = ended;
    for (Thread t : live) {
      // -1 for a thread that is ending right now: it adds its time in ended() under this lock.
      sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
    }
    last = Math.max(last, sum);
    return last;
  }
}
