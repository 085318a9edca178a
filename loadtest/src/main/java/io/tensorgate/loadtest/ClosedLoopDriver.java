package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed loop, as ghz's and perf_analyzer's concurrency: each active worker (lane) keeps one call
 * outstanding and sends the next from the previous one's completion callback, on its connection's
 * event loop: no thread and no hand-off per call. Latency runs from the actual send. The number of
 * active lanes follows the plan's concurrency schedule; lane i uses in-flight slot i.
 */
final class ClosedLoopDriver {

  private final CallTransport transport;
  private final RequestSource requests;
  private final AtomicLong sequence = new AtomicLong();

  ClosedLoopDriver(CallTransport transport, RequestSource requests) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.requests = Objects.requireNonNull(requests, "requests");
  }

  /**
   * Sends until the control stops the run (deadline, total or cancel), adjusting the lanes on the
   * concurrency schedule. Blocks the calling thread; returns once sending has stopped, with calls
   * possibly still in flight (see {@link RunControl#awaitDrained}).
   */
  void run(LoadPlan plan, RunControl control, LevelRecorder recorder) throws InterruptedException {
    List<Lane> lanes = new ArrayList<>();
    AtomicInteger active = new AtomicInteger();
    int workers = plan.workersAt(0);
    while (true) {
      if (workers < 1 && plan.concurrencySchedule() == null) {
        throw new IllegalArgumentException("concurrency must be >= 1");
      }
      active.set(workers);
      for (int i = 0; i < workers; i++) {
        if (i == lanes.size()) {
          lanes.add(new Lane(i, active, control, recorder));
        }
        lanes.get(i).wake();
      }
      long now = System.nanoTime();
      long until = control.deadline();
      if (plan.concurrencySchedule() != null) {
        long next = plan.concurrencySchedule().nextChangeAfter(control.elapsed(now));
        until = Math.min(until, Math.max(control.windowStart(), now) + next);
      }
      if (control.awaitStop(until)) {
        return;
      }
      if (System.nanoTime() >= control.deadline()) {
        control.stop(RunControl.TIMEOUT);
        return;
      }
      workers = plan.workersAt(control.elapsed(System.nanoTime()));
    }
  }

  /** One worker. Idle when stopped or beyond the active count; woken by the driver thread. */
  private final class Lane implements CallTransport.Callback {
    private static final int IDLE = 0;
    private static final int RUNNING = 1;

    private final int index;
    private final AtomicInteger active;
    private final RunControl control;
    private final LevelRecorder recorder;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    // Trampoline: a completion that arrives inside send() (a failing connection answers at once)
    // loops here instead of recursing, so error storms cannot overflow the stack.
    private final AtomicInteger pendingSends = new AtomicInteger();
    // Written before send() and read in its callback; the transport orders the two.
    private long startNanos;

    Lane(int index, AtomicInteger active, RunControl control, LevelRecorder recorder) {
      this.index = index;
      this.active = active;
      this.control = control;
      this.recorder = recorder;
    }

    void wake() {
      if (state.compareAndSet(IDLE, RUNNING)) {
        requestSend();
      }
    }

    private void requestSend() {
      if (pendingSends.getAndIncrement() != 0) {
        return;
      }
      do {
        sendOne();
      } while (pendingSends.decrementAndGet() != 0);
    }

    private void sendOne() {
      long now = System.nanoTime();
      if (index >= active.get() || !control.claimSend(now)) {
        state.set(IDLE);
        // The driver may have raised the count between the check and the store: look again.
        if (index < active.get() && !control.stopping() && state.compareAndSet(IDLE, RUNNING)) {
          pendingSends.incrementAndGet();
        }
        return;
      }
      startNanos = now;
      control.callStarted();
      try {
        transport.send(requests.request(sequence.getAndIncrement(), index), index, this);
      } catch (RuntimeException e) {
        onComplete(Status.fromThrowable(e), System.nanoTime());
      }
    }

    @Override
    public void onComplete(Status status, long endNanos) {
      recorder.record(startNanos, endNanos, status);
      control.callEnded();
      requestSend();
    }
  }
}
