package io.tensorgate.server.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body bytes that all HTTP connections hold together, from the first byte read until
 * the request is answered, bounded by {@code --max-inflight-request-bytes} (counted apart from the
 * decoded requests that budget bounds too). Without it, many clients each sending a body just under
 * {@code --http-max-input-size} could together exhaust the server's memory before any of them was
 * decoded. One per HTTP server; thread-safe and lock-free.
 */
final class BodyBudget {
  private final long limit;
  private final AtomicLong held = new AtomicLong();

  BodyBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("HTTP body budget " + limit + " < 1");
    }
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** The bytes held now. */
  long held() {
    return held.get();
  }

  /** Takes {@code bytes} when they fit; false, taking nothing, when they do not. */
  boolean tryReserve(long bytes) {
    for (long current = held.get(); ; current = held.get()) {
      if (bytes > limit - current) {
        return false;
      }
      if (held.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    held.addAndGet(-bytes);
  }
}
