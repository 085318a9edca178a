package io.tensorgate.loadtest;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open loop: requests leave at a constant rate on a fixed schedule (start + k / rate), whatever the
 * server does. The scheduler never waits for responses. Latency is measured from the intended send
 * time, so a stalled client or server shows up as latency instead of hiding behind fewer sends
 * (coordinated omission). When every slot of the {@link SlotPool} is in use at a request's intended
 * time, that request is counted as a "client saturated" error and skipped.
 */
final class OpenLoopDriver {

  private final InferTransport transport;
  private final RequestSource requests;
  private final SlotPool slots;

  OpenLoopDriver(InferTransport transport, RequestSource requests, SlotPool slots) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.requests = Objects.requireNonNull(requests, "requests");
    this.slots = Objects.requireNonNull(slots, "slots");
  }

  /**
   * Schedules requests from {@code startNanos} until the recorder's window ends, on the calling
   * thread, then waits for the outstanding ones.
   *
   * @throws TimeoutException when requests are still outstanding after {@code drainTimeout}
   */
  void run(double rate, long startNanos, LevelRecorder recorder, Duration drainTimeout)
      throws InterruptedException, TimeoutException {
    if (!(rate > 0)) {
      throw new IllegalArgumentException("rate must be > 0, got " + rate);
    }
    double periodNanos = 1e9 / rate;
    // One token held by the scheduler until it stops, so "drained" cannot fire early.
    AtomicInteger outstanding = new AtomicInteger(1);
    CompletableFuture<Void> drained = new CompletableFuture<>();
    for (long k = 0; ; k++) {
      long intended = startNanos + Math.round(k * periodNanos);
      if (intended >= recorder.windowEnd()) {
        break;
      }
      long now = parkUntil(intended);
      recorder.recordLag(intended, now - intended);
      int slot = slots.tryAcquire();
      if (slot < 0) {
        recorder.recordSaturated(intended, slots.size());
        continue;
      }
      outstanding.incrementAndGet();
      InferTransport.Callback callback =
          (status, endNanos) -> {
            recorder.record(intended, endNanos, status);
            slots.release(slot);
            if (outstanding.decrementAndGet() == 0) {
              drained.complete(null);
            }
          };
      try {
        transport.infer(requests.request(k, slot), callback);
      } catch (RuntimeException e) {
        callback.onComplete(Status.fromThrowable(e), System.nanoTime());
      }
    }
    if (outstanding.decrementAndGet() == 0) {
      drained.complete(null);
    }
    try {
      drained.get(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new TimeoutException(
          (outstanding.get())
              + " requests still outstanding "
              + drainTimeout
              + " after the window");
    }
  }

  /** Parks until {@code deadline} (System.nanoTime); returns the time it woke. */
  private static long parkUntil(long deadline) {
    long now = System.nanoTime();
    while (now < deadline) {
      LockSupport.parkNanos(deadline - now);
      now = System.nanoTime();
    }
    return now;
  }
}
