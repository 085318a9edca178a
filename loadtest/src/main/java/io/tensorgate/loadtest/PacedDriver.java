package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls on a rate's schedule (ghz's {@code --rps} and {@code --load-schedule}), sent by one pacer
 * thread: call k is due at the sum of the intervals {@code 1 / rate} before it.
 *
 * <ul>
 *   <li>As ghz does, a due call waits for a free worker when all are busy, and its latency runs
 *       from the actual send.
 *   <li>With {@code --async} (open loop) it leaves on time whatever is in flight, up to the
 *       outstanding cap; past the cap it is not sent and counts as a "client saturated" error.
 *       Latency runs from the intended send time, so a stalled server (or client) shows up as
 *       latency rather than as fewer sends (no coordinated omission).
 * </ul>
 */
final class PacedDriver {

  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final CallTransport transport;
  private final RequestSource requests;

  PacedDriver(CallTransport transport, RequestSource requests) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.requests = Objects.requireNonNull(requests, "requests");
  }

  /**
   * Sends from the control's start until it stops the run, on the calling thread. Returns once
   * sending has stopped, with calls possibly still in flight.
   */
  void run(LoadPlan plan, RunControl control, LevelRecorder recorder) throws InterruptedException {
    boolean async = plan.async();
    SlotPool pool = new SlotPool(async ? plan.maxOutstanding() : plan.workersAt(0));
    SlotCallback[] callbacks = new SlotCallback[16];
    double offsetNanos = 0;
    for (long k = 0; ; k++) {
      long intended = control.startNanos() + Math.round(offsetNanos);
      long elapsed = control.elapsed(intended);
      double rate = plan.rateAt(elapsed);
      if (!(rate > 0)) {
        control.stop(RunControl.NORMAL);
        return;
      }
      if (!async && plan.concurrencySchedule() != null) {
        int workers = plan.workersAt(elapsed);
        if (workers != pool.limit()) {
          pool.setLimit(workers);
        }
      }
      long now = parkUntil(intended, control);
      if (!control.claimSend(intended)) {
        return;
      }
      recorder.recordLag(intended, now - intended);
      int slot = async ? pool.tryAcquire() : acquire(pool, control);
      if (slot < 0) {
        if (!async) {
          return;
        }
        recorder.recordSaturated(intended, plan.maxOutstanding());
      } else {
        if (slot >= callbacks.length) {
          callbacks = Arrays.copyOf(callbacks, Math.max(slot + 1, callbacks.length * 2));
        }
        if (callbacks[slot] == null) {
          callbacks[slot] = new SlotCallback(slot, pool, control, recorder);
        }
        SlotCallback callback = callbacks[slot];
        callback.startNanos = async ? intended : System.nanoTime();
        control.callStarted();
        try {
          transport.send(requests.request(k, slot), slot, callback);
        } catch (RuntimeException e) {
          callback.onComplete(Status.fromThrowable(e), System.nanoTime());
        }
      }
      offsetNanos += 1e9 / rate;
    }
  }

  /** Waits for a free worker; -1 when the run stops first. */
  private static int acquire(SlotPool pool, RunControl control) throws InterruptedException {
    while (!control.stopping()) {
      long now = System.nanoTime();
      if (now >= control.deadline()) {
        control.stop(RunControl.TIMEOUT);
        break;
      }
      int slot = pool.acquire(Math.min(control.deadline(), now + POLL_NANOS));
      if (slot >= 0) {
        return slot;
      }
    }
    return -1;
  }

  /** Parks until {@code deadline} or a stop; returns the time it woke. */
  private static long parkUntil(long deadline, RunControl control) {
    long now = System.nanoTime();
    while (now < deadline && !control.stopping()) {
      LockSupport.parkNanos(Math.min(deadline - now, POLL_NANOS));
      now = System.nanoTime();
    }
    return now;
  }

  /** The callback of one slot, reused by every call that holds the slot. */
  private static final class SlotCallback implements CallTransport.Callback {
    private final int slot;
    private final SlotPool pool;
    private final RunControl control;
    private final LevelRecorder recorder;
    // Set by the pacer before the send; the slot is held exclusively until the callback runs.
    long startNanos;

    SlotCallback(int slot, SlotPool pool, RunControl control, LevelRecorder recorder) {
      this.slot = slot;
      this.pool = pool;
      this.control = control;
      this.recorder = recorder;
    }

    @Override
    public void onComplete(Status status, long endNanos) {
      recorder.record(startNanos, endNanos, status);
      pool.release(slot);
      control.callEnded();
    }
  }
}
