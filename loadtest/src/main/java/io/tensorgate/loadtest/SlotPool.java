package io.tensorgate.loadtest;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * In-flight slots for calls on a rate: slot {@code i} is also the call's shared-memory region. At
 * most {@code limit} slots (indices below it) are handed out; the limit follows ghz's concurrency
 * schedule or is the async cap. Acquiring never allocates. Thread-safe (the pacer acquires, the
 * event loops release); all methods are short and hold the lock only briefly.
 */
final class SlotPool {

  @GuardedBy("this")
  private int[] free = new int[16];

  @GuardedBy("this")
  private int freeCount;

  @GuardedBy("this")
  private int[] parked = new int[16];

  @GuardedBy("this")
  private int parkedCount;

  @GuardedBy("this")
  private int created;

  @GuardedBy("this")
  private int limit;

  SlotPool(int limit) {
    setLimit(limit);
  }

  /** Changes how many slots may be in use; slots above a lowered limit retire when released. */
  synchronized void setLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("slot limit must be >= 0, got " + limit);
    }
    this.limit = limit;
    int kept = 0;
    for (int i = 0; i < parkedCount; i++) {
      if (parked[i] < limit) {
        push(parked[i]);
      } else {
        parked[kept++] = parked[i];
      }
    }
    parkedCount = kept;
    notifyAll();
  }

  synchronized int limit() {
    return limit;
  }

  /** A free slot, or -1 when {@code limit} are in use. */
  synchronized int tryAcquire() {
    while (freeCount > 0) {
      int slot = free[--freeCount];
      if (slot < limit) {
        return slot;
      }
      parked = grow(parked, parkedCount);
      parked[parkedCount++] = slot;
    }
    return created < limit ? created++ : -1;
  }

  /** A free slot, waiting for one until {@code untilNanos}; -1 if none came. */
  synchronized int acquire(long untilNanos) throws InterruptedException {
    while (true) {
      int slot = tryAcquire();
      if (slot >= 0) {
        return slot;
      }
      long wait = untilNanos - System.nanoTime();
      if (wait <= 0) {
        return -1;
      }
      TimeUnit.NANOSECONDS.timedWait(this, wait);
    }
  }

  synchronized void release(int slot) {
    if (slot < 0 || slot >= created) {
      throw new IllegalArgumentException("slot " + slot + " was never handed out");
    }
    push(slot);
    notify();
  }

  @GuardedBy("this")
  private void push(int slot) {
    free = grow(free, freeCount);
    free[freeCount++] = slot;
  }

  private static int[] grow(int[] array, int size) {
    return size < array.length ? array : Arrays.copyOf(array, array.length * 2);
  }
}
