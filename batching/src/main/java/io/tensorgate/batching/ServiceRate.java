package io.tensorgate.batching;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long one request keeps one instance busy, measured: an exponentially weighted moving average
 * over executed batches of (busy time / requests in the batch), busy time running from the start of
 * a batch to its last answer. Under load, when batches are full, it is the cost of a request at the
 * batch size that load produces.
 *
 * <p>Instance workers update it once per batch (one CAS); submitting threads read it. No lock.
 */
final class ServiceRate {
  // Weight of a new batch in the average: 1/8, so a change in speed shows within a few batches.
  private static final int SHIFT = 3;

  // 0 until the first batch finished.
  private final AtomicLong nanosPerRequest = new AtomicLong();

  /** Instance worker: a batch of {@code requests} kept the instance busy {@code busyNanos}. */
  void served(int requests, long busyNanos) {
    if (requests <= 0 || busyNanos <= 0) {
      return;
    }
    long sample = Math.max(1, busyNanos / requests);
    nanosPerRequest.getAndUpdate(old -> old == 0 ? sample : old + ((sample - old) >> SHIFT));
  }

  /** The average busy time per request; 0 before the first batch. */
  long nanosPerRequest() {
    return nanosPerRequest.get();
  }

  /**
   * The expected wait of a request that finds {@code queued} requests ahead of it (itself included)
   * with {@code instances} instances taking them: 0 before anything was measured.
   */
  long predictedWaitNanos(int queued, int instances) {
    long perRequest = nanosPerRequest.get();
    if (perRequest == 0 || queued <= 0) {
      return 0;
    }
    if (instances <= 0) {
      return Long.MAX_VALUE;
    }
    // No overflow in practice: queued <= ring size, perRequest far below 2^63 / 2^31.
    return queued * perRequest / instances;
  }
}
