package io.tensorgate.server.route;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Splits a default route between a stable and a canary version by weight. A request with a routing
 * key lands where the key's hash falls: hashes below the weight go to the canary, so a key never
 * moves while the weight stays, and raising the weight only moves keys toward the canary. A request
 * without a key takes the next point of a golden-ratio (Weyl) sequence: the canary share matches
 * the weight to within a few requests at any count, without a lock.
 */
public final class WeightedCanarySplit {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final double TWO_POW_64 = 0x1p64;

  private final long threshold;
  private final double weightPercent;
  private final long salt;
  private final AtomicLong sequence = new AtomicLong();

  /**
   * @param weightPercent the canary's share, 0 to 100
   * @param salt mixed into key hashes (the model name), so models split keys independently
   */
  public WeightedCanarySplit(double weightPercent, String salt) {
    if (!(weightPercent >= 0 && weightPercent <= 100)) {
      throw new IllegalArgumentException("canary weight must be 0 to 100, got " + weightPercent);
    }
    this.weightPercent = weightPercent;
    // Unsigned 64-bit threshold: a point p goes to the canary when p < threshold (unsigned).
    this.threshold = weightPercent >= 100 ? -1L : toUnsigned(weightPercent / 100.0 * TWO_POW_64);
    this.salt = hash(salt.getBytes(StandardCharsets.UTF_8), 0x5bd1e995L);
  }

  public double weightPercent() {
    return weightPercent;
  }

  /**
   * Whether this request goes to the canary.
   *
   * @param routingKey the request's routing key, or {@code null}
   */
  public boolean toCanary(String routingKey) {
    if (weightPercent <= 0) {
      return false;
    }
    if (weightPercent >= 100) {
      return true;
    }
    long point = routingKey == null ? sequence.getAndIncrement() * GOLDEN : keyPoint(routingKey);
    return Long.compareUnsigned(point, threshold) < 0;
  }

  /** Where a key falls on the unsigned 64-bit circle; the same for every weight. */
  long keyPoint(String routingKey) {
    return hash(routingKey.getBytes(StandardCharsets.UTF_8), salt);
  }

  private static long toUnsigned(double v) {
    // v in [0, 2^64): doubles above Long.MAX_VALUE need the top bit set by hand.
    return v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v;
  }

  /** FNV-1a over the bytes, finished with MurmurHash3's 64-bit mixer for an even spread. */
  private static long hash(byte[] bytes, long seed) {
    long h = 0xcbf29ce484222325L ^ seed;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe53a87c3L;
    h ^= h >>> 33;
    return h;
  }
}
