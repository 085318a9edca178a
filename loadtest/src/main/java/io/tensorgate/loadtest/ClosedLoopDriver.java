package io.tensorgate.loadtest;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed loop, as perf_analyzer's and ghz's concurrency mode: C lanes each keep one request
 * outstanding and send the next one from the previous one's completion callback. No thread per
 * request; latency is measured from the actual send. Lane i uses in-flight slot i.
 */
final class ClosedLoopDriver {

  private final InferTransport transport;
  private final RequestSource requests;
  private final AtomicLong sequence = new AtomicLong();

  ClosedLoopDriver(InferTransport transport, RequestSource requests) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.requests = Objects.requireNonNull(requests, "requests");
  }

  /**
   * Runs from now until the recorder's window ends, then waits for every lane's last request.
   * Blocks the calling thread.
   *
   * @throws TimeoutException when requests are still outstanding after {@code drainTimeout}
   */
  void run(int concurrency, LevelRecorder recorder, Duration drainTimeout)
      throws InterruptedException, TimeoutException {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int slot = 0; slot < concurrency; slot++) {
      new Lane(slot, recorder, finished).requestSend();
    }
    long waitNanos = Math.max(0, recorder.windowEnd() - System.nanoTime()) + drainTimeout.toNanos();
    if (!finished.await(waitNanos, TimeUnit.NANOSECONDS)) {
      throw new TimeoutException(
          finished.getCount() + " of " + concurrency + " lanes still waiting for an answer");
    }
  }

  private final class Lane implements InferTransport.Callback {
    private final int slot;
    private final LevelRecorder recorder;
    private final CountDownLatch finished;
    // Trampoline: a completion that arrives inside infer() (a failing channel answers at once)
    // loops here instead of recursing, so error storms cannot overflow the stack.
    private final AtomicInteger pendingSends = new AtomicInteger();
    // Written before infer() and read in its callback; gRPC orders the two.
    private long startNanos;

    Lane(int slot, LevelRecorder recorder, CountDownLatch finished) {
      this.slot = slot;
      this.recorder = recorder;
      this.finished = finished;
    }

    void requestSend() {
      if (pendingSends.getAndIncrement() != 0) {
        return;
      }
      do {
        sendOne();
      } while (pendingSends.decrementAndGet() != 0);
    }

    private void sendOne() {
      long now = System.nanoTime();
      if (now >= recorder.windowEnd()) {
        finished.countDown();
        return;
      }
      startNanos = now;
      try {
        transport.infer(requests.request(sequence.getAndIncrement(), slot), this);
      } catch (RuntimeException e) {
        onComplete(Status.fromThrowable(e), System.nanoTime());
      }
    }

    @Override
    public void onComplete(Status status, long endNanos) {
      recorder.record(startNanos, endNanos, status);
      requestSend();
    }
  }
}
