package io.tensorgate.batching;

import java.util.Arrays;

/**
 * The earliest queue timeout among the requests waiting on a batcher's priority levels: noted as
 * requests are published, and swept once it passes, so that the batcher neither scans the queues
 * for timeouts on every pass nor sleeps past one.
 *
 * <p>Not thread-safe: its {@link DynamicBatcher} calls it under its own lock.
 */
final class QueueTimeouts {
  /** What the batcher does with a ring request whose queue timeout expired. */
  interface Expiry {
    void expire(PriorityLevel level, QueuedRequest q);
  }

  private final PriorityLevel[] levels;
  // Per level, the last sequence whose timeout was noted.
  private final long[] observed;
  private boolean pending;
  private long next;

  QueueTimeouts(PriorityLevel[] levels) {
    this.levels = levels;
    this.observed = new long[levels.length];
    Arrays.fill(observed, -1L);
  }

  /**
   * Notes the timeouts of requests published since the last call and, once the earliest passed,
   * hands every expired request to {@code expiry}.
   */
  void update(long now, Expiry expiry) {
    observe();
    if (pending && now - next > 0) {
      sweep(now, expiry);
    }
  }

  /** How long the batcher may wait before the next timeout passes; Long.MAX_VALUE for none. */
  long sleepNanos(long now) {
    return pending ? Math.max(1L, next - now + 1) : Long.MAX_VALUE;
  }

  private void observe() {
    for (int i = 0; i < levels.length; i++) {
      PriorityLevel level = levels[i];
      long s = Math.max(observed[i], level.consumed.get()) + 1;
      for (; level.ring.isAvailable(s); s++) {
        QueuedRequest q = level.ring.get(s);
        if (q.request != null && q.hasTimeout) {
          note(q.timeoutNanos);
        }
      }
      observed[i] = s - 1;
    }
  }

  private void note(long at) {
    if (!pending || at - next < 0) {
      next = at;
      pending = true;
    }
  }

  private void sweep(long now, Expiry expiry) {
    pending = false;
    for (PriorityLevel level : levels) {
      for (long s = level.consumed.get() + 1; level.ring.isAvailable(s); s++) {
        QueuedRequest q = level.ring.get(s);
        if (q.request == null || !q.hasTimeout) {
          continue;
        }
        if (now - q.timeoutNanos > 0) {
          expiry.expire(level, q);
        } else {
          note(q.timeoutNanos);
        }
      }
    }
  }
}
