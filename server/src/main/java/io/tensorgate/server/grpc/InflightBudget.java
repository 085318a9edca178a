package io.tensorgate.server.grpc;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that inference requests in flight may hold once decoded, all together ({@code
 * --max-inflight-request-bytes}; see {@link io.tensorgate.server.codec.DecodedSize} for what a
 * request counts). A request reserves its share before it is decoded and gives it back when it is
 * answered; one that does not fit is refused at once with RESOURCE_EXHAUSTED, so that big requests
 * cannot together exhaust the heap or native memory.
 *
 * <p>Thread-safe and lock-free: one compare-and-set per request to reserve, one add to release.
 */
public final class InflightBudget {
  private final long limit;
  private final AtomicLong reserved = new AtomicLong();

  /**
   * @param limit the most bytes requests in flight may hold together; also the most one request may
   *     hold
   */
  public InflightBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("in-flight request bytes " + limit + " < 1");
    }
    this.limit = limit;
  }

  /** The default limit: half the JVM's maximum heap, at most 1 GiB. */
  public static long defaultLimit() {
    return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 2);
  }

  public long limit() {
    return limit;
  }

  /** Publishes {@link #reserved} as the gauge {@code tensorgate.inflight.request}. */
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("tensorgate.inflight.request", this, InflightBudget::reserved)
        .description(
            "Bytes that inference requests in flight hold once decoded (limit: "
                + limit
                + ", --max-inflight-request-bytes)")
        .baseUnit("bytes")
        .register(registry);
  }

  /** The bytes reserved now by requests in flight. */
  public long reserved() {
    return reserved.get();
  }

  /**
   * Reserves {@code bytes} for one request.
   *
   * @return {@code null} when reserved, which the caller must {@link #release} once; otherwise the
   *     RESOURCE_EXHAUSTED error to answer with, and nothing is reserved
   */
  InferenceError tryReserve(String model, long bytes) {
    if (bytes > limit) {
      return new InferenceError(
          ErrorCode.RESOURCE_EXHAUSTED,
          "request for model '"
              + model
              + "' needs about "
              + bytes
              + " bytes once decoded, more than --max-inflight-request-bytes ("
              + limit
              + ")");
    }
    for (long current = reserved.get(); ; current = reserved.get()) {
      if (bytes > limit - current) {
        return new InferenceError(
            ErrorCode.RESOURCE_EXHAUSTED,
            "requests in flight hold "
                + current
                + " of "
                + limit
                + " bytes (--max-inflight-request-bytes); the request for model '"
                + model
                + "' needs "
                + bytes
                + " more; retry later");
      }
      if (reserved.compareAndSet(current, current + bytes)) {
        return null;
      }
    }
  }

  /** Gives back what a successful {@link #tryReserve} reserved. */
  void release(long bytes) {
    reserved.addAndGet(-bytes);
  }
}
