package io.tensorgate.batching;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.tensorgate.backend.InferenceError;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue of one priority level: a multi-producer Disruptor ring, the batcher's read position on
 * it, and the level's {@link QueuePolicy}.
 *
 * <p>Requests stay in their ring slot until the batcher dispatches or drops them, so the ring's
 * capacity is the bound on queued requests and a full ring refuses at {@link #offer}. Triton's
 * {@code max_queue_size}, and the DELAY action's side queue, are bounded by an admission counter on
 * top of the ring; levels without either pay no counter.
 *
 * <p>Threading: {@link #offer} from any submitting thread; everything else on the batcher thread.
 */
final class PriorityLevel {
  private static final long MAX_TIMEOUT_MICROS = Long.MAX_VALUE / 1_000L;

  final RingBuffer<QueuedRequest> ring;

  /** The last sequence the batcher released to producers; the ring's gating sequence. */
  final Sequence consumed = new Sequence(-1);

  /** Expired requests kept under the DELAY action, behind the ring's; batcher thread only. */
  final ArrayDeque<QueuedRequest> delayed = new ArrayDeque<>();

  final QueuePolicy policy;
  private final AtomicInteger admitted;
  private final int admissionLimit;

  PriorityLevel(QueuePolicy policy, int ringSize, BatcherWakeup wakeup) {
    this.policy = java.util.Objects.requireNonNull(policy, "policy");
    this.ring = RingBuffer.createMultiProducer(QueuedRequest::new, ringSize, wakeup);
    ring.addGatingSequences(consumed);
    boolean delays =
        policy.timeoutAction() == QueuePolicy.TimeoutAction.DELAY
            && policy.defaultTimeoutMicros() > 0;
    if (policy.maxQueueSize() > 0 || delays) {
      admitted = new AtomicInteger();
      admissionLimit = policy.maxQueueSize() > 0 ? policy.maxQueueSize() : ringSize;
    } else {
      admitted = null;
      admissionLimit = 0;
    }
  }

  /**
   * Queues a request, or refuses it at once when the level is full. Never blocks.
   *
   * @return null when queued; otherwise the shared "Exceeds maximum queue size" error
   */
  InferenceError offer(InferenceRequest request, long now) {
    if (admitted != null && !admit()) {
      return SchedulerErrors.QUEUE_FULL;
    }
    long sequence;
    try {
      sequence = ring.tryNext();
    } catch (InsufficientCapacityException e) {
      if (admitted != null) {
        admitted.decrementAndGet();
      }
      return SchedulerErrors.QUEUE_FULL;
    }
    long timeoutMicros = timeoutMicros(request);
    QueuedRequest slot = ring.get(sequence);
    slot.set(
        request,
        now,
        timeoutMicros != 0,
        now + Math.min(timeoutMicros, MAX_TIMEOUT_MICROS) * 1_000L);
    ring.publish(sequence);
    return null;
  }

  /** Batcher thread: a request of this level left the queue (dispatched or answered). */
  void left() {
    if (admitted != null) {
      admitted.decrementAndGet();
    }
  }

  /**
   * Triton's rule: the level's default timeout, which a request may only shorten, and only when the
   * policy allows it; 0 means none.
   */
  private long timeoutMicros(InferenceRequest request) {
    long timeout = policy.defaultTimeoutMicros();
    long requested = request.timeoutMicros();
    if (policy.allowTimeoutOverride() && requested > 0 && requested < timeout) {
      return requested;
    }
    return timeout;
  }

  private boolean admit() {
    int current;
    do {
      current = admitted.get();
      if (current >= admissionLimit) {
        return false;
      }
    } while (!admitted.compareAndSet(current, current + 1));
    return true;
  }

  /** Batcher thread: moves the read position past slots that were already cleared. */
  void releaseClearedSlots() {
    long next = consumed.get() + 1;
    long released = next - 1;
    while (ring.isAvailable(next) && ring.get(next).request == null) {
      released = next++;
    }
    if (released != consumed.get()) {
      consumed.set(released);
    }
  }
}
