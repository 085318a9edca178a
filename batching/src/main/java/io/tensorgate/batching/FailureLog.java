package io.tensorgate.batching;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a kind of failure that a scheduler thread survived, and logs it without flooding: the
 * first one with its stack trace, later ones as one line at most once a minute, with the count so
 * far. Thread-safe and lock-free.
 */
final class FailureLog {
  private static final System.Logger LOG = System.getLogger(FailureLog.class.getName());
  private static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String what;
  private final LongAdder count = new LongAdder();
  // 0 until the first failure was logged; then the nanoTime before which nothing more is logged.
  private final AtomicLong quietUntil = new AtomicLong();

  /**
   * @param what the failure, as a log line starts, e.g. "scheduler 'simple:1': a worker failed"
   */
  FailureLog(String what) {
    this.what = Objects.requireNonNull(what, "what");
  }

  void record(Throwable t) {
    count.increment();
    long now = System.nanoTime();
    long until = quietUntil.get();
    if (until == 0) {
      if (quietUntil.compareAndSet(0, now + INTERVAL_NANOS)) {
        LOG.log(Level.ERROR, what + "; the thread goes on", t);
      }
      return;
    }
    if (now - until >= 0 && quietUntil.compareAndSet(until, now + INTERVAL_NANOS)) {
      LOG.log(Level.ERROR, what + " again (" + count.sum() + " times so far): " + t);
    }
  }

  long count() {
    return count.sum();
  }
}
