package io.tensorgate.batching;

import com.lmax.disruptor.EventPoller;
import io.tensorgate.backend.InferenceError;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Triton's sequence batcher. Each sequence is bound to one batch slot of one instance for its
 * lifetime (the lowest free slot index, spreading sequences over the instances); sequences beyond
 * the free slots wait in a backlog until a slot frees. Every batch of an instance takes the next
 * request of each of its slots' sequences, so a sequence's requests run in order on one instance.
 *
 * <p>{@code direct}: slots are batch rows, {@code max_batch_size} per instance (1 for a model that
 * does not batch); a batch spans slot 0 to the highest slot with a request, and a slot without a
 * ready request (or whose request's shapes differ from the batch's) is an empty, not-ready row, as
 * in Triton. {@code oldest} is simplified: each instance has {@code max_candidate_sequences} slots
 * and a batch is the oldest ready requests of its slots, packed without empty rows, up to {@code
 * max_batch_size}; it waits up to the configured queue delay for a batch as large as its active
 * sequences allow.
 *
 * <p>A sequence's slot is freed when its END request is dispatched, or when it had no request for
 * {@code max_sequence_idle_microseconds} (1 s when 0); a later request without START for it is then
 * refused. A cancelled or late request is answered and skipped; its sequence goes on.
 *
 * <p>Threading: batcher thread only.
 */
final class SequenceBatcher implements Batcher {
  private final SequenceRegistry registry;
  private final EventPoller<QueuedRequest> poller;
  private final EventPoller.Handler<QueuedRequest> intake = this::intake;
  private final WorkerPool workers;
  private final RequestAccounting accounting;
  private final boolean oldest;
  private final ShapeRule shapes;
  private final int maxBatchSize;
  private final long idleNanos;
  private final long delayNanos;
  private final ActiveSequence[][] slots;
  private final ArrayDeque<ActiveSequence> backlog = new ArrayDeque<>();
  private final InferenceRequest[] heads;
  private boolean progressed;
  private long sleep;

  SequenceBatcher(
      SchedulerConfig config,
      SequenceRegistry registry,
      WorkerPool workers,
      RequestAccounting accounting) {
    SequenceConfig sequence = config.sequence();
    this.registry = Objects.requireNonNull(registry, "registry");
    this.poller = registry.ring.newPoller();
    registry.ring.addGatingSequences(poller.getSequence());
    this.workers = Objects.requireNonNull(workers, "workers");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.oldest = sequence.strategy() == SequenceConfig.Strategy.OLDEST;
    this.shapes = new ShapeRule(config.maxBatchSize() > 0, config.raggedInputs());
    this.maxBatchSize = Math.max(1, config.maxBatchSize());
    long idleMicros =
        sequence.maxSequenceIdleMicros() > 0 ? sequence.maxSequenceIdleMicros() : 1_000_000L;
    this.idleNanos = Math.multiplyExact(idleMicros, 1_000L);
    this.delayNanos = oldest ? Math.multiplyExact(sequence.maxQueueDelayMicros(), 1_000L) : 0;
    int perInstance = slotsPerInstance(config);
    this.slots = new ActiveSequence[workers.size()][perInstance];
    this.heads = new InferenceRequest[perInstance];
  }

  /** Batch slots per instance. */
  static int slotsPerInstance(SchedulerConfig config) {
    SequenceConfig sequence = config.sequence();
    if (config.maxBatchSize() == 0) {
      return 1;
    }
    if (sequence.strategy() == SequenceConfig.Strategy.OLDEST) {
      return Math.max(1, sequence.maxCandidateSequences());
    }
    return config.maxBatchSize();
  }

  /** The most entries one batch can hold; the size of each worker's {@link BatchPlan}. */
  static int capacity(SchedulerConfig config) {
    int slots = slotsPerInstance(config);
    boolean oldest = config.sequence().strategy() == SequenceConfig.Strategy.OLDEST;
    return oldest ? Math.min(slots, Math.max(1, config.maxBatchSize())) : slots;
  }

  @Override
  public long dispatch(long now) {
    progressed = false;
    sleep = Long.MAX_VALUE;
    drainRing();
    expireIdle(now);
    for (int i = 0; i < slots.length; i++) {
      InstanceWorker worker = workers.get(i);
      if (worker.idle()) {
        if (oldest) {
          formOldest(i, worker, now);
        } else {
          formDirect(i, worker, now);
        }
      }
    }
    return sleep;
  }

  @Override
  public boolean progressed() {
    return progressed;
  }

  @Override
  public void failQueued(InferenceError error) {
    progressed = false;
    drainRing();
    for (ActiveSequence[] instance : slots) {
      for (ActiveSequence s : instance) {
        if (s != null) {
          failAll(s, error);
        }
      }
    }
    for (ActiveSequence s : backlog) {
      failAll(s, error);
    }
  }

  private void failAll(ActiveSequence sequence, InferenceError error) {
    InferenceRequest r;
    while ((r = sequence.queue.pollFirst()) != null) {
      answer(r, error);
    }
  }

  private void drainRing() {
    try {
      poller.poll(intake);
    } catch (Exception e) {
      throw new IllegalStateException("sequence intake failed", e);
    }
  }

  private boolean intake(QueuedRequest q, long sequenceNumber, boolean endOfBatch) {
    ActiveSequence sequence = q.sequence;
    sequence.queue.addLast(q.request);
    q.clear();
    if (!sequence.bound() && !sequence.backlogged) {
      if (!bind(sequence)) {
        sequence.backlogged = true;
        backlog.addLast(sequence);
      }
    }
    progressed = true;
    return true;
  }

  /** Binds to the lowest free slot index, trying the instances in turn; false when none is free. */
  private boolean bind(ActiveSequence sequence) {
    for (int slot = 0; slot < heads.length; slot++) {
      for (int instance = 0; instance < slots.length; instance++) {
        if (slots[instance][slot] == null) {
          slots[instance][slot] = sequence;
          sequence.instance = instance;
          sequence.slot = slot;
          return true;
        }
      }
    }
    return false;
  }

  private void unbind(ActiveSequence sequence) {
    slots[sequence.instance][sequence.slot] = null;
    sequence.slot = -1;
    sequence.instance = -1;
    ActiveSequence waiting;
    while ((waiting = backlog.peekFirst()) != null && bind(waiting)) {
      backlog.pollFirst();
      waiting.backlogged = false;
    }
  }

  private void expireIdle(long now) {
    for (ActiveSequence[] instance : slots) {
      for (ActiveSequence s : instance) {
        if (s == null || !s.queue.isEmpty()) {
          continue;
        }
        long idle = now - s.lastRequestNanos;
        if (idle >= idleNanos && registry.expireIfIdle(s, now, idleNanos)) {
          unbind(s);
          progressed = true;
        } else {
          sleep = Math.min(sleep, Math.max(1L, idleNanos - idle));
        }
      }
    }
  }

  /** The next request of the sequence that may run, answering the cancelled and late first. */
  private InferenceRequest head(ActiveSequence sequence, long now) {
    InferenceRequest r;
    while ((r = sequence.queue.peekFirst()) != null) {
      InferenceError error = unservable(r, now);
      if (error == null) {
        return r;
      }
      sequence.queue.pollFirst();
      answer(r, error);
    }
    return null;
  }

  private void formDirect(int instance, InstanceWorker worker, long now) {
    ActiveSequence[] own = slots[instance];
    InferenceRequest reference = null;
    int last = -1;
    for (int s = 0; s < own.length; s++) {
      InferenceRequest r = own[s] == null ? null : head(own[s], now);
      if (r != null && reference != null && !shapes.compatible(reference, r)) {
        r = null;
      }
      heads[s] = r;
      if (r != null) {
        reference = reference == null ? r : reference;
        last = s;
      }
    }
    if (last >= 0) {
      BatchPlan plan = worker.plan;
      for (int s = 0; s <= last; s++) {
        InferenceRequest r = heads[s];
        heads[s] = null;
        plan.addSlot(r, own[s]);
        if (r != null) {
          take(own[s], r, now);
        }
      }
      hand(worker);
    }
  }

  private void formOldest(int instance, InstanceWorker worker, long now) {
    ActiveSequence[] own = slots[instance];
    int ready = 0;
    int active = 0;
    for (int s = 0; s < own.length; s++) {
      heads[s] = own[s] == null ? null : head(own[s], now);
      active += own[s] == null ? 0 : 1;
      ready += heads[s] == null ? 0 : 1;
    }
    if (ready == 0) {
      return;
    }
    BatchPlan plan = worker.plan;
    InferenceRequest reference = null;
    long oldestArrival = 0;
    while (!plan.full()) {
      int pick = -1;
      for (int s = 0; s < own.length; s++) {
        InferenceRequest r = heads[s];
        if (r != null
            && (reference == null || shapes.compatible(reference, r))
            && (pick < 0 || r.arrivalNanos() - heads[pick].arrivalNanos() < 0)) {
          pick = s;
        }
      }
      if (pick < 0) {
        break;
      }
      InferenceRequest r = heads[pick];
      heads[pick] = null;
      if (reference == null) {
        reference = r;
        oldestArrival = r.arrivalNanos();
      }
      plan.addSlot(r, own[pick]);
    }
    java.util.Arrays.fill(heads, null);
    int wanted = Math.min(Math.min(maxBatchSize, plan.capacity()), active);
    long waited = now - oldestArrival;
    if (plan.count() < wanted && delayNanos > 0 && waited < delayNanos) {
      sleep = Math.min(sleep, delayNanos - waited);
      plan.clear();
      return;
    }
    for (int i = 0; i < plan.count(); i++) {
      take(plan.sequence(i), plan.request(i), now);
    }
    hand(worker);
  }

  /** Removes a request chosen for a batch from its sequence, freeing the slot after END. */
  private void take(ActiveSequence sequence, InferenceRequest r, long now) {
    sequence.queue.pollFirst();
    registry.left();
    r.markDispatched(now);
    if (r.sequence().end()) {
      unbind(sequence);
    }
  }

  private void hand(InstanceWorker worker) {
    accounting.dispatched(worker.plan.requestCount());
    progressed = true;
    worker.assign();
  }

  private void answer(InferenceRequest r, InferenceError error) {
    registry.left();
    progressed = true;
    accounting.fail(r, error);
  }

  private static InferenceError unservable(InferenceRequest r, long now) {
    if (r.cancellation().isCancelled()) {
      return SchedulerErrors.CANCELLED;
    }
    long deadline = r.deadlineNanos();
    if (deadline != InferenceRequest.NO_DEADLINE && now - deadline > 0) {
      return SchedulerErrors.DEADLINE_EXCEEDED;
    }
    return null;
  }
}
