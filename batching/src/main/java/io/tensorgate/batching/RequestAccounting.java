package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts accepted requests until they are answered, answers them, and holds the admission switch.
 *
 * <p>Every accepted request is answered exactly once, through {@link #succeed} or {@link #fail},
 * from whichever scheduler thread finishes with it. A listener that throws, whatever it throws
 * (errors included: a listener may touch memory or run out of it), is counted and logged; it never
 * stops the thread that called it. Answering a client despite its own failure is the listener's
 * job.
 */
final class RequestAccounting {
  // Incremented before a request is published, decremented after its listener returned: when it
  // is 0 after shutdown, nothing is queued, executing or being answered.
  private final AtomicInteger pending = new AtomicInteger();
  // Requests handed to an instance and not yet answered; queue depth is pending minus this.
  private final AtomicInteger executing = new AtomicInteger();
  private final FailureLog listenerFailures;
  private final FailureLog workerFailures;
  private final BatcherWakeup wakeup;
  private volatile boolean accepting = true;

  /**
   * @param name the scheduler's name, for log lines
   */
  RequestAccounting(BatcherWakeup wakeup, String name) {
    this.wakeup = java.util.Objects.requireNonNull(wakeup, "wakeup");
    this.listenerFailures = new FailureLog("'" + name + "': a response listener threw");
    this.workerFailures =
        new FailureLog("'" + name + "': an instance worker failed outside the backend");
  }

  /**
   * Counts a request about to be offered to the queue. Any submitting thread.
   *
   * @return false after {@link #stopAccepting()}; the request is then not counted
   */
  boolean enter() {
    pending.incrementAndGet();
    if (!accepting) {
      leave();
      return false;
    }
    return true;
  }

  /** Uncounts a request that {@link #enter} counted but the queue refused. */
  void refused() {
    leave();
  }

  void stopAccepting() {
    accepting = false;
    wakeup.signal();
  }

  boolean accepting() {
    return accepting;
  }

  /** Whether every accepted request was answered and no more will be accepted. */
  boolean drained() {
    return !accepting && pending.get() == 0;
  }

  /** Batcher thread: {@code count} requests left the queue for an instance. */
  void dispatched(int count) {
    executing.addAndGet(count);
  }

  /** Instance worker: {@code count} dispatched requests are about to be answered. */
  void executed(int count) {
    executing.addAndGet(-count);
  }

  int pendingCount() {
    return pending.get();
  }

  int queueDepth() {
    return Math.max(0, pending.get() - executing.get());
  }

  long listenerFailures() {
    return listenerFailures.count();
  }

  /** An instance worker survived a failure outside the backend's execution; any worker. */
  void workerFailed(Throwable t) {
    workerFailures.record(t);
  }

  /** Failures the scheduler's threads survived: listeners that threw, workers that failed. */
  long failures() {
    return listenerFailures.count() + workerFailures.count();
  }

  /** Never throws, whatever the listener throws. */
  void succeed(InferenceRequest request, List<Tensor> outputs) {
    try {
      request.listener().onSuccess(request, outputs);
    } catch (Throwable e) {
      listenerFailures.record(e);
    } finally {
      leave();
    }
  }

  /** Never throws, whatever the listener throws. */
  void fail(InferenceRequest request, InferenceError error) {
    try {
      request.listener().onFailure(request, error);
    } catch (Throwable e) {
      listenerFailures.record(e);
    } finally {
      leave();
    }
  }

  private void leave() {
    if (pending.decrementAndGet() == 0 && !accepting) {
      wakeup.signal();
    }
  }
}
