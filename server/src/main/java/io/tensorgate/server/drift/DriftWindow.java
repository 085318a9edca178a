package io.tensorgate.server.drift;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The live window of a monitored version: the binned values of its latest sampled requests, at most
 * {@code window_requests} of them and none older than {@code window_seconds}, with per-feature bin
 * counts kept up to date as requests enter and leave.
 *
 * <p>Not thread-safe: its {@link VersionDrift} calls it under its own lock.
 */
final class DriftWindow {
  private record Entry(long nanos, int[][] bins) {}

  private final Bins[] bins;
  private final int[] featureIndex;
  private final long[][] counts;
  private final long maxAgeNanos;
  private final int maxRequests;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  /**
   * @param bins the reference bins of each monitored feature
   * @param featureIndex for each monitored feature, its index in a sample's values
   */
  DriftWindow(Bins[] bins, int[] featureIndex, long windowSeconds, int windowRequests) {
    this.bins = bins;
    this.featureIndex = featureIndex;
    this.counts = new long[bins.length][];
    for (int i = 0; i < bins.length; i++) {
      counts[i] = new long[bins[i].size()];
    }
    this.maxAgeNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
    this.maxRequests = windowRequests;
  }

  /** An empty window of no features, for a version not monitoring yet. */
  static DriftWindow none() {
    return new DriftWindow(new Bins[0], new int[0], 0, 0);
  }

  /**
   * Takes a sample's values ({@code double[]}, {@code String[]} or null per feature) at {@code
   * nanos}.
   */
  void add(long nanos, Object[] values) {
    int[][] entry = new int[bins.length][];
    for (int i = 0; i < bins.length; i++) {
      Object v = values[featureIndex[i]];
      int[] b;
      if (v instanceof double[] d) {
        Bins.Numeric nb = (Bins.Numeric) bins[i];
        b = new int[d.length];
        for (int k = 0; k < d.length; k++) {
          b[k] = nb.bin(d[k]);
        }
      } else if (v instanceof String[] str) {
        Bins.Categorical cb = (Bins.Categorical) bins[i];
        b = new int[str.length];
        for (int k = 0; k < str.length; k++) {
          b[k] = cb.bin(str[k]);
        }
      } else {
        b = new int[0];
      }
      for (int x : b) {
        counts[i][x]++;
      }
      entry[i] = b;
    }
    entries.addLast(new Entry(nanos, entry));
  }

  /**
   * Drops the requests past the window's size or age at {@code nowNanos}.
   *
   * @return whether any was dropped
   */
  boolean evict(long nowNanos) {
    long oldest = nowNanos - maxAgeNanos;
    boolean dropped = false;
    while (!entries.isEmpty()
        && (entries.size() > maxRequests || entries.peekFirst().nanos() < oldest)) {
      Entry e = entries.removeFirst();
      for (int i = 0; i < e.bins().length; i++) {
        for (int x : e.bins()[i]) {
          counts[i][x]--;
        }
      }
      dropped = true;
    }
    return dropped;
  }

  /** The requests in the window. */
  int size() {
    return entries.size();
  }

  /** The window's count per bin of monitored feature {@code i}; a live view, not a copy. */
  long[] counts(int i) {
    return counts[i];
  }
}
