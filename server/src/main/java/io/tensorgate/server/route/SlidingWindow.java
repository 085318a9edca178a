package io.tensorgate.server.route;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * Requests, errors and latencies of one version over the last {@code window}, in ten time buckets
 * that are reset as the clock passes them: a gate sees the last window to within a tenth. Latencies
 * are kept by HdrHistogram to two significant digits (within 1 %), from 1 µs to {@link
 * #MAX_MICROS}; longer ones count as that.
 */
final class SlidingWindow {
  private static final int BUCKETS = 10;
  static final long MAX_MICROS = 60_000_000L;
  private static final int DIGITS = 2;

  private final long bucketNanos;
  private final LongAdder total = new LongAdder();

  @GuardedBy("this")
  private final long[] epoch = new long[BUCKETS];

  @GuardedBy("this")
  private final long[] count = new long[BUCKETS];

  @GuardedBy("this")
  private final long[] errors = new long[BUCKETS];

  // Int counts: about 10 KB per bucket; a bucket never holds 2^31 requests.
  @GuardedBy("this")
  private final IntCountsHistogram[] latency = new IntCountsHistogram[BUCKETS];

  /** What the window holds now. */
  static final class Snapshot {
    private final long count;
    private final long errors;
    private final Histogram latencies;

    Snapshot(long count, long errors, Histogram latencies) {
      this.count = count;
      this.errors = errors;
      this.latencies = latencies;
    }

    long count() {
      return count;
    }

    long errors() {
      return errors;
    }

    double errorRate() {
      return count == 0 ? 0 : (double) errors / count;
    }

    /** The 99th percentile latency, 0 for an empty window. */
    long p99Nanos() {
      return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(99) * 1000;
    }

    /** Requests slower than {@code nanos} (to the histogram's 1 % resolution). */
    long slowerThan(long nanos) {
      long micros = Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
      return latencies.getTotalCount() - latencies.getCountBetweenValues(0, micros);
    }
  }

  SlidingWindow(long windowNanos) {
    this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    Arrays.fill(epoch, -1);
    for (int i = 0; i < BUCKETS; i++) {
      latency[i] = new IntCountsHistogram(1, MAX_MICROS, DIGITS);
    }
  }

  void record(long nowNanos, boolean error, long latencyNanos) {
    total.increment();
    long micros = Math.min(MAX_MICROS, Math.max(1, latencyNanos / 1000));
    long e = nowNanos / bucketNanos;
    int i = (int) Math.floorMod(e, (long) BUCKETS);
    synchronized (this) {
      if (epoch[i] != e) {
        epoch[i] = e;
        count[i] = 0;
        errors[i] = 0;
        latency[i].reset();
      }
      count[i]++;
      if (error) {
        errors[i]++;
      }
      latency[i].recordValue(micros);
    }
  }

  /** Requests recorded since the window was created. */
  long total() {
    return total.sum();
  }

  synchronized Snapshot snapshot(long nowNanos) {
    long e = nowNanos / bucketNanos;
    long n = 0;
    long err = 0;
    Histogram lat = new Histogram(1, MAX_MICROS, DIGITS);
    for (int i = 0; i < BUCKETS; i++) {
      if (epoch[i] > e - BUCKETS && epoch[i] <= e) {
        n += count[i];
        err += errors[i];
        lat.add(latency[i]);
      }
    }
    return new Snapshot(n, err, lat);
  }
}
