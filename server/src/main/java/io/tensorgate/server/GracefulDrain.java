package io.tensorgate.server;

import io.grpc.Server;
import io.tensorgate.server.grpc.OpenCalls;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wait of a graceful shutdown, between {@code Server.shutdown()} (new calls refused) and {@code
 * shutdownNow()} (whatever is left is cancelled).
 *
 * <p>Order matters: first every accepted request leaves the schedulers (in-flight zero), then every
 * unary call is closed, which gRPC reports only once the trailers were written (so {@code
 * shutdownNow} cannot cancel an answer still on its way: the race that lost responses before).
 * Streaming calls may stay open for as long as their clients like; they get at most {@link
 * #STREAM_GRACE_NANOS} to end by themselves before the caller cancels them.
 */
final class GracefulDrain {
  private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);

  /** How long open streams may take to end after all requests were answered. */
  static final long STREAM_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final Server grpc;
  private final OpenCalls calls;
  private final LongSupplier inFlight;

  GracefulDrain(Server grpc, OpenCalls calls, LongSupplier inFlight) {
    this.grpc = Objects.requireNonNull(grpc, "grpc");
    this.calls = Objects.requireNonNull(calls, "calls");
    this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
  }

  /**
   * Waits until every accepted request was answered and written, or the deadline ({@link
   * System#nanoTime} scale) passes. The server must already be shut down (no new calls).
   *
   * @return true when nothing was left in flight
   */
  boolean await(long deadline) {
    log.info(
        "shutting down: waiting for {} in-flight request(s), {} open call(s)",
        inFlight.getAsLong(),
        calls.unary() + calls.streaming());
    // Shutdown-only wait: in-flight counts live in many versions and have no shared signal.
    while ((inFlight.getAsLong() > 0 || calls.unary() > 0) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(POLL_NANOS);
    }
    long left = inFlight.getAsLong();
    if (left > 0 || calls.unary() > 0) {
      log.warn(
          "exit timeout reached with {} request(s) in flight and {} unary call(s) open",
          left,
          calls.unary());
      return false;
    }
    long grace = Math.min(STREAM_GRACE_NANOS, deadline - System.nanoTime());
    try {
      if (grace > 0 && !grpc.awaitTermination(grace, TimeUnit.NANOSECONDS)) {
        log.info(
            "cancelling {} open stream(s) after their requests were answered", calls.streaming());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}
