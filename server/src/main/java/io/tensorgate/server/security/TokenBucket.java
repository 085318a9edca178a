package io.tensorgate.server.security;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A rate limit: {@code perSecond} permits a second, at most one second's worth saved up.
 * Thread-safe; {@link #tryTake} is a short critical section, taken at most once per accepted
 * connection or reset stream, never per request.
 */
final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private final LongSupplier nanoClock;
  // Guarded by this.
  private double tokens;
  private long last;

  TokenBucket(long perSecond, LongSupplier nanoClock) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("rate must be positive, got " + perSecond);
    }
    this.perNano = perSecond / (double) TimeUnit.SECONDS.toNanos(1);
    this.capacity = perSecond;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /** Takes one permit; false when none is left. */
  synchronized boolean tryTake() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
