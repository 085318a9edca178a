package io.tensorgate.server.route;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests, errors and a latency histogram of one version over the last {@code window}, in ten time
 * buckets that are reset as the clock passes them: a gate sees the last window to within a tenth.
 * Latencies land in quarter-octave buckets (about 19 % apart), enough for a p99 ratio gate.
 */
final class SlidingWindow {
  private static final int BUCKETS = 10;
  private static final int LATENCY_BUCKETS = 112;

  private final long bucketNanos;
  private final LongAdder total = new LongAdder();
  // Guarded by this.
  private final long[] epoch = new long[BUCKETS];
  private final long[] count = new long[BUCKETS];
  private final long[] errors = new long[BUCKETS];
  private final long[][] latency = new long[BUCKETS][LATENCY_BUCKETS];

  /** What the window holds now. */
  record Snapshot(long count, long errors, long p99Nanos) {
    double errorRate() {
      return count == 0 ? 0 : (double) errors / count;
    }
  }

  SlidingWindow(long windowNanos) {
    this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    Arrays.fill(epoch, -1);
  }

  void record(long nowNanos, boolean error, long latencyNanos) {
    total.increment();
    int l = latencyBucket(latencyNanos);
    long e = nowNanos / bucketNanos;
    int i = (int) Math.floorMod(e, (long) BUCKETS);
    synchronized (this) {
      if (epoch[i] != e) {
        epoch[i] = e;
        count[i] = 0;
        errors[i] = 0;
        Arrays.fill(latency[i], 0);
      }
      count[i]++;
      if (error) {
        errors[i]++;
      }
      latency[i][l]++;
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
    long[] lat = new long[LATENCY_BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      if (epoch[i] > e - BUCKETS && epoch[i] <= e) {
        n += count[i];
        err += errors[i];
        for (int j = 0; j < LATENCY_BUCKETS; j++) {
          lat[j] += latency[i][j];
        }
      }
    }
    long p99 = 0;
    if (n > 0) {
      long rank = (long) Math.ceil(n * 0.99);
      long seen = 0;
      for (int j = 0; j < LATENCY_BUCKETS; j++) {
        seen += lat[j];
        if (seen >= rank) {
          p99 = upperBoundNanos(j);
          break;
        }
      }
    }
    return new Snapshot(n, err, p99);
  }

  static int latencyBucket(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    int log2 = 63 - Long.numberOfLeadingZeros(micros);
    int quarter = log2 >= 2 ? (int) ((micros >>> (log2 - 2)) & 3) : 0;
    return Math.min(LATENCY_BUCKETS - 1, log2 * 4 + quarter);
  }

  static long upperBoundNanos(int bucket) {
    int log2 = bucket / 4;
    int quarter = bucket % 4;
    return ((1L << log2) + ((quarter + 1) * (1L << log2)) / 4) * 1000;
  }
}
