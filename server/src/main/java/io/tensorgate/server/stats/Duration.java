package io.tensorgate.server.stats;

import java.util.concurrent.atomic.LongAdder;

/** A count and a total of nanoseconds, as Triton's {@code StatisticDuration}; lock-free. */
public final class Duration {
  // LongAdder: many instance workers record concurrently; reads are rare (statistics, scrapes).
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void record(long ns) {
    count.increment();
    nanos.add(ns);
  }

  public long count() {
    return count.sum();
  }

  public long nanos() {
    return nanos.sum();
  }
}
