package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts accepted requests until they are answered, answers them, and holds the admission switch.
 *
 * <p>Every accepted request is answered exactly once, through {@link #succeed} or {@link #fail},
 * from whichever scheduler thread finishes with it. A listener that throws is counted and logged;
 * it never stops the thread that called it.
 */
final class RequestAccounting {
  private static final System.Logger LOG = System.getLogger(RequestAccounting.class.getName());

  // Incremented before a request is published, decremented after its listener returned: when it
  // is 0 after shutdown, nothing is queued, executing or being answered.
  private final AtomicInteger pending = new AtomicInteger();
  // Requests handed to an instance and not yet answered; queue depth is pending minus this.
  private final AtomicInteger executing = new AtomicInteger();
  private final LongAdder listenerFailures = new LongAdder();
  private final BatcherWakeup wakeup;
  private volatile boolean accepting = true;

  RequestAccounting(BatcherWakeup wakeup) {
    this.wakeup = java.util.Objects.requireNonNull(wakeup, "wakeup");
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
    return listenerFailures.sum();
  }

  void succeed(InferenceRequest request, List<Tensor> outputs) {
    try {
      request.listener().onSuccess(request, outputs);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      listenerFailed(request, e);
    } finally {
      leave();
    }
  }

  void fail(InferenceRequest request, InferenceError error) {
    try {
      request.listener().onFailure(request, error);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      listenerFailed(request, e);
    } finally {
      leave();
    }
  }

  private void listenerFailed(InferenceRequest request, Throwable e) {
    listenerFailures.increment();
    LOG.log(Level.WARNING, "response listener of request '" + request.id() + "' threw", e);
  }

  private void leave() {
    if (pending.decrementAndGet() == 0 && !accepting) {
      wakeup.signal();
    }
  }
}
