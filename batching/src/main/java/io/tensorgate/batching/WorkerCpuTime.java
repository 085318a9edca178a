package io.tensorgate.batching;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The CPU time a scheduler's instance worker threads have used: live threads' clocks read when
 * asked, ended threads' as they ended. Read by metrics and cost windows, never per execution, so
 * that accounting costs the request path nothing; only executions run inline on a caller's thread
 * (a per-model choice) are measured around each, since that thread serves others too. Each thread
 * enters with {@link #started} and leaves with {@link #ended}, both on that thread. Never
 * decreases.
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

  // Executions run inline on callers' threads (see DirectDispatch), measured around each.
  private final LongAdder inline = new LongAdder();

  WorkerCpuTime() {
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    this.threads =
        t.isThreadCpuTimeSupported()
                && t.isCurrentThreadCpuTimeSupported()
                && t.isThreadCpuTimeEnabled()
            ? t
            : null;
  }

  /** The calling thread's CPU clock, for {@link #addInline}; 0 where it cannot be read. */
  long currentThreadNanos() {
    return threads == null ? 0 : Math.max(0, threads.getCurrentThreadCpuTime());
  }

  /** A caller's thread spent {@code nanos} of CPU time running a batch inline. */
  void addInline(long nanos) {
    if (nanos > 0) {
      inline.add(nanos);
    }
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
    long sum = ended + inline.sum();
    for (Thread t : live) {
      // -1 for a thread that is ending right now: it adds its time in ended() under this lock.
      sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
    }
    last = Math.max(last, sum);
    return last;
  }
}
