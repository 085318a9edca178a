package io.tensorgate.batching;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long requests keep an instance busy, measured: exponentially weighted moving averages over
 * executed batches of the time per batch and per request. A batch's time runs to its last answer,
 * from its start or, when it was already waiting as the instance's previous batch ended, from that
 * end (so that the gaps between batches, which delay the queue as much as executing does, count
 * too). Under load, when batches are full, it is the cost at the batch size that load produces. A
 * sample counts for at most four times the average, so that a single stall does not make the
 * scheduler refuse requests for the next many batches.
 *
 * <p>Instance workers update it once per batch (two CAS); submitting threads read it. No lock.
 */
final class ServiceRate {
  // Weight of a new batch in the averages: 1/8, so a change in speed shows within a few batches.
  private static final int SHIFT = 3;

  // 0 until the first batch was measured.
  private final AtomicLong nanosPerRequest = new AtomicLong();
  private final AtomicLong nanosPerBatch = new AtomicLong();

  /** Instance worker: a batch of {@code requests} kept the instance busy {@code busyNanos}. */
  void served(int requests, long busyNanos) {
    if (requests <= 0 || busyNanos <= 0) {
      return;
    }
    average(nanosPerBatch, busyNanos);
    average(nanosPerRequest, Math.max(1, busyNanos / requests));
  }

  private static void average(AtomicLong average, long sample) {
    average.getAndUpdate(
        old -> {
          if (old == 0) {
            return sample;
          }
          // One stalled batch (a GC pause, a descheduled thread) moves the average by at most
          // 3/8 of it; a lasting slowdown still shows within a few batches.
          long bounded = Math.min(sample, old > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * old);
          return old + ((bounded - old) >> SHIFT);
        });
  }

  /** The average busy time per request; 0 before the first batch. */
  long nanosPerRequest() {
    return nanosPerRequest.get();
  }

  /** The average busy time per batch; 0 before the first batch. */
  long nanosPerBatch() {
    return nanosPerBatch.get();
  }

  /**
   * The expected queue wait of a request that finds every instance busy and {@code queued} requests
   * queued (itself included), with {@code instances} instances taking them: the batch executing
   * now, then the requests ahead of it spread over the instances. 0 before anything was measured.
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
    return nanosPerBatch.get() + (queued - 1) * perRequest / instances;
  }
}
