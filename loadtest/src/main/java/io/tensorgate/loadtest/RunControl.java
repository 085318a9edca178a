package io.tensorgate.loadtest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When one run starts, what it may still send, and when it stops: the warm-up's end, the deadline
 * ({@code -z}), the total ({@code -n}), a cancel (Ctrl-C), and the calls in flight at the end. Read
 * on every send by the drivers' threads and the event loops; thread-safe.
 */
final class RunControl {

  static final String NORMAL = "normal";
  static final String TIMEOUT = "timeout";
  static final String CANCEL = "cancel";

  private final long startNanos;
  private final long windowStart;
  private final long deadline;
  private final long total;
  private final AtomicLong measuredSends = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicReference<String> stopReason = new AtomicReference<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile boolean stopping;

  RunControl(long startNanos, LoadPlan plan) {
    this.startNanos = startNanos;
    this.windowStart = startNanos + plan.warmup().toNanos();
    this.deadline =
        plan.duration().isZero() ? Long.MAX_VALUE : windowStart + plan.duration().toNanos();
    this.total = plan.total();
  }

  long startNanos() {
    return startNanos;
  }

  /** When the measurement starts (the warm-up's end). */
  long windowStart() {
    return windowStart;
  }

  /** When the duration ends; {@code Long.MAX_VALUE} without one. */
  long deadline() {
    return deadline;
  }

  /** Time since the measurement started, 0 during the warm-up. */
  long elapsed(long nowNanos) {
    return Math.max(0, nowNanos - windowStart);
  }

  /**
   * Whether a call may be sent at {@code nowNanos}; counts it against the total. Returning false
   * stops the run (the deadline passed, the total was reached, or a stop came first).
   */
  boolean claimSend(long nowNanos) {
    if (stopping) {
      return false;
    }
    if (nowNanos >= deadline) {
      stop(TIMEOUT);
      return false;
    }
    if (nowNanos >= windowStart && measuredSends.getAndIncrement() >= total) {
      stop(NORMAL);
      return false;
    }
    return true;
  }

  /** Whether sending has stopped. */
  boolean stopping() {
    return stopping;
  }

  /** Stops sending; the first reason given is the run's end reason. */
  void stop(String reason) {
    stopReason.compareAndSet(null, reason);
    stopping = true;
    stopRequested.countDown();
  }

  /** Waits until a stop is asked for or {@code untilNanos}; true when stopped. */
  boolean awaitStop(long untilNanos) throws InterruptedException {
    long wait = untilNanos - System.nanoTime();
    return wait <= 0 ? stopping : stopRequested.await(wait, TimeUnit.NANOSECONDS);
  }

  /** ghz's {@code endReason}; "normal" until a reason is given. */
  String endReason() {
    String reason = stopReason.get();
    return reason == null ? NORMAL : reason;
  }

  void callStarted() {
    inFlight.incrementAndGet();
  }

  void callEnded() {
    if (inFlight.decrementAndGet() == 0 && stopping) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  int inFlight() {
    return inFlight.get();
  }

  /** After a stop: waits until no call is in flight; false if some still are after the timeout. */
  synchronized boolean awaitDrained(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      long wait = end - System.nanoTime();
      if (wait <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, wait);
    }
    return true;
  }
}
