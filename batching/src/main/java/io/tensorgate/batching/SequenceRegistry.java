package io.tensorgate.batching;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission for a sequence-batching scheduler: which correlation ids are live, and the ring that
 * carries their requests to the batcher.
 *
 * <p>A request must carry a correlation id, and the first request of a sequence must carry START
 * (Triton's rules and words). The registry maps each live id to its {@link ActiveSequence} from the
 * START request until the END request is submitted or the batcher expires the sequence; a START for
 * a live id continues that sequence (and its slot), as Triton does.
 *
 * <p>The batcher moves requests from the ring into their sequence's queue, so an admission counter
 * bounds ring and queues together by the ring size.
 *
 * <p>Threading: {@link #offer} from any submitting thread; the map under {@link #lock}, which the
 * batcher also takes to expire a sequence.
 */
final class SequenceRegistry implements Admission {
  final Object lock = new Object();
  final RingBuffer<QueuedRequest> ring;

  @GuardedBy("lock")
  private final Map<Object, ActiveSequence> live = new HashMap<>();

  // Lock-free: offer() admits with a compare-and-set.
  private final AtomicInteger queued = new AtomicInteger();

  private final int limit;
  private final int stateCount;
  private final boolean batching;
  private final String model;
  private final InferenceError missingId;
  private final InferenceError batchTooLarge;

  SequenceRegistry(SchedulerConfig config, BatcherWakeup wakeup) {
    this.ring = RingBuffer.createMultiProducer(QueuedRequest::new, config.ringSize(), wakeup);
    this.limit = config.ringSize();
    this.stateCount = config.sequence().states().size();
    this.batching = config.maxBatchSize() > 0;
    this.model = SchedulerErrors.modelName(config.name());
    this.missingId =
        new InferenceError(
            ErrorCode.INVALID_ARGUMENT,
            "inference request to model '"
                + model
                + "' must specify a non-zero or non-empty correlation ID");
    this.batchTooLarge =
        new InferenceError(
            ErrorCode.INVALID_ARGUMENT,
            "inference request to model '"
                + model
                + "' must specify batch-size 1 due to requirements of sequence batcher");
  }

  @Override
  public InferenceError offer(InferenceRequest request, long now) {
    InferenceRequest.SequenceControl control = request.sequence();
    if (control == null) {
      return missingId;
    }
    if (batching && request.batchSize() > 1) {
      return batchTooLarge;
    }
    if (!admit()) {
      return SchedulerErrors.QUEUE_FULL;
    }
    Object id = control.correlationId();
    synchronized (lock) {
      ActiveSequence sequence = live.get(id);
      if (sequence == null && !control.start()) {
        queued.decrementAndGet();
        return notStarted(control);
      }
      long slot;
      try {
        slot = ring.tryNext();
      } catch (InsufficientCapacityException e) {
        queued.decrementAndGet();
        return SchedulerErrors.QUEUE_FULL;
      }
      if (sequence == null) {
        sequence = new ActiveSequence(id, stateCount, now);
        live.put(id, sequence);
      }
      sequence.lastRequestNanos = now;
      if (control.end()) {
        live.remove(id);
      }
      QueuedRequest q = ring.get(slot);
      q.set(request, now, false, 0L);
      q.sequence = sequence;
      ring.publish(slot);
    }
    return null;
  }

  /**
   * Batcher thread: forgets {@code sequence} if it had no request for {@code idleNanos}; checked
   * under the lock against a request being submitted for it right now.
   *
   * @return whether it was idle (the caller then frees its slot)
   */
  boolean expireIfIdle(ActiveSequence sequence, long now, long idleNanos) {
    synchronized (lock) {
      if (now - sequence.lastRequestNanos < idleNanos) {
        return false;
      }
      live.remove(sequence.correlationId, sequence);
      return true;
    }
  }

  /** Batcher thread: a request left the queue (dispatched or answered). */
  void left() {
    queued.decrementAndGet();
  }

  private boolean admit() {
    int current;
    do {
      current = queued.get();
      if (current >= limit) {
        return false;
      }
    } while (!queued.compareAndSet(current, current + 1));
    return true;
  }

  private InferenceError notStarted(InferenceRequest.SequenceControl control) {
    String id =
        control.stringId() != null
            ? control.stringId()
            : Long.toUnsignedString(control.numericId());
    return new InferenceError(
        ErrorCode.INVALID_ARGUMENT,
        "inference request for sequence "
            + id
            + " to model '"
            + model
            + "' must specify the START flag on the first request of the sequence");
  }
}
