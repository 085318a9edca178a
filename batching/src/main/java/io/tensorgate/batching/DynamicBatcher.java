package io.tensorgate.batching;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.InferenceError;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * Triton's dynamic batcher over the priority rings (and, with one request per batch, the default
 * scheduler of models without {@code dynamic_batching}).
 *
 * <p>A batch is formed only when an instance is idle, so requests wait in their ring while every
 * instance is busy and the next batch grows meanwhile ("natural" batching, as the Disruptor's
 * end-of-batch). The scan walks the levels highest first, within a level the ring in FIFO order and
 * then the requests its DELAY action put aside, and takes requests until the next one would pass
 * {@code max_batch_size} or has different input shapes (a request is never split or skipped over).
 * When a preferred batch size can be formed, the largest such batch goes; otherwise everything
 * found goes.
 *
 * <p>The batcher is work-conserving: a free instance never waits for a fuller batch, so an idle
 * server dispatches at once and {@code max_queue_delay_microseconds} is an upper bound that is
 * never reached by waiting (Triton instead holds a batch below its preferred size for up to that
 * delay, even with instances idle; on CPUs, where a larger batch barely amortizes compute, holding
 * only adds latency and idles instances).
 *
 * <p>Requests found cancelled or past their deadline during the scan are answered CANCELLED or
 * DEADLINE_EXCEEDED and never reach an instance. Queue timeouts are swept when the earliest one
 * expires, even while all instances are busy: REJECT answers "Request timeout expired", DELAY moves
 * the request behind the level's unexpired ones.
 *
 * <p>EventPoller is not used: it marks the event that ends a poll as consumed, while a request that
 * does not fit the current batch must stay queued. The batcher reads published slots with {@code
 * RingBuffer.isAvailable} and moves each level's gating sequence itself.
 *
 * <p>Threading: the batcher thread, and instance workers that take their next batch themselves
 * right after answering one ({@link #refill}), which saves two thread hops per batch under load.
 * Both paths hold this object's monitor, which is uncontended most of the time.
 */
final class DynamicBatcher implements Batcher, QueueTimeouts.Expiry {
  private final PriorityLevel[] levels;
  private final WorkerPool workers;
  private final RequestAccounting accounting;
  private final boolean batching;
  private final boolean onePerBatch;
  private final int maxBatchSize;
  private final int[] preferred;
  private final int maxPreferred;
  private final ShapeRule shapes;

  // The scan's candidates, reused for every batch (no allocation per request).
  @GuardedBy("this")
  private final InferenceRequest[] candidates;

  @GuardedBy("this")
  private final QueuedRequest[] candidateSlots;

  @GuardedBy("this")
  private final PriorityLevel[] candidateLevels;

  @GuardedBy("this")
  private final boolean[] candidateDelayed;

  @GuardedBy("this")
  private int found;

  // The most requests this batch may take: an even share of the queue over the instances.
  @GuardedBy("this")
  private int share;

  @GuardedBy("this")
  private int rows;

  @GuardedBy("this")
  private int preferredFound;

  @GuardedBy("this")
  private final QueueTimeouts timeouts;

  @GuardedBy("this")
  private long nextOrdinal;

  @GuardedBy("this")
  private boolean progressed;

  // Set once the scheduler closes: queued requests are then answered, never dispatched.
  @GuardedBy("this")
  private boolean closed;

  DynamicBatcher(
      SchedulerConfig config,
      PriorityQueues queues,
      WorkerPool workers,
      RequestAccounting accounting) {
    this.levels = queues.levels;
    this.workers = Objects.requireNonNull(workers, "workers");
    this.accounting = Objects.requireNonNull(accounting, "accounting");
    this.batching = config.maxBatchSize() > 0;
    this.onePerBatch = !config.dynamicBatching() || !batching;
    this.maxBatchSize = Math.max(1, config.maxBatchSize());
    this.preferred =
        Arrays.stream(config.preferredBatchSizes())
            .filter(p -> p > 0 && p <= maxBatchSize)
            .sorted()
            .toArray();
    this.maxPreferred = preferred.length > 0 ? preferred[preferred.length - 1] : maxBatchSize;
    this.shapes = new ShapeRule(batching, config.raggedInputs());
    int capacity = capacity(config);
    this.candidates = new InferenceRequest[capacity];
    this.candidateSlots = new QueuedRequest[capacity];
    this.candidateLevels = new PriorityLevel[capacity];
    this.candidateDelayed = new boolean[capacity];
    this.timeouts = new QueueTimeouts(levels);
  }

  /** The most requests one batch can hold; the size of each worker's {@link BatchPlan}. */
  static int capacity(SchedulerConfig config) {
    return config.dynamicBatching() && config.maxBatchSize() > 0 ? config.maxBatchSize() : 1;
  }

  @Override
  public synchronized long dispatch(long now) {
    progressed = false;
    timeouts.update(now, this);
    InstanceWorker worker;
    while ((worker = workers.claimIdle()) != null) {
      int take = form(now);
      if (take > 0) {
        hand(worker, take, now);
      } else {
        worker.unclaim();
        clearCandidates(found);
        break;
      }
    }
    if (progressed) {
      releaseClearedSlots();
    }
    return timeouts.sleepNanos(now);
  }

  @Override
  public synchronized boolean refill(InstanceWorker worker, long now) {
    if (closed) {
      return false;
    }
    progressed = false;
    timeouts.update(now, this);
    int take = form(now);
    if (take > 0) {
      hand(worker, take, now);
      return true;
    }
    clearCandidates(found);
    if (progressed) {
      releaseClearedSlots();
    }
    return false;
  }

  @Override
  public synchronized boolean progressed() {
    return progressed;
  }

  @Override
  public synchronized void failQueued(InferenceError error) {
    closed = true;
    progressed = false;
    for (PriorityLevel level : levels) {
      for (long s = level.consumed.get() + 1; level.ring.isAvailable(s); s++) {
        QueuedRequest q = level.ring.get(s);
        if (q.request != null) {
          drop(level, q, error);
        }
      }
      QueuedRequest q;
      while ((q = level.delayed.pollFirst()) != null) {
        level.left();
        progressed = true;
        accounting.fail(q.request, error);
      }
      level.releaseClearedSlots();
    }
  }

  /**
   * Scans the queues for the next batch.
   *
   * @return how many candidates to dispatch; 0 when nothing is queued
   */
  @GuardedBy("this")
  private int form(long now) {
    found = 0;
    share = shareOfQueue();
    rows = 0;
    preferredFound = 0;
    scan:
    for (PriorityLevel level : levels) {
      for (long s = level.consumed.get() + 1; level.ring.isAvailable(s); s++) {
        QueuedRequest q = level.ring.get(s);
        InferenceRequest r = q.request;
        if (r == null || dropped(level, q, r, now)) {
          continue;
        }
        if (!add(r, q, level, false)) {
          break scan;
        }
      }
      if (level.delayed.isEmpty()) {
        continue;
      }
      for (Iterator<QueuedRequest> it = level.delayed.iterator(); it.hasNext(); ) {
        QueuedRequest q = it.next();
        InferenceError error = unservable(q.request, now);
        if (error != null) {
          it.remove();
          level.left();
          progressed = true;
          accounting.fail(q.request, error);
          continue;
        }
        if (!add(q.request, q, level, true)) {
          break scan;
        }
      }
    }
    return preferredFound != 0 ? preferredFound : found;
  }

  /**
   * An even share of the queued requests per instance, so that one free instance does not take the
   * whole queue while the others, about to finish, would then find nothing to do.
   */
  private int shareOfQueue() {
    int n = workers.size();
    if (n == 1) {
      return Integer.MAX_VALUE;
    }
    int queued = accounting.queueDepth();
    return Math.max(1, (queued + n - 1) / n);
  }

  /** Adds a candidate; false when the scan must stop (this request, or any after, cannot join). */
  @GuardedBy("this")
  private boolean add(InferenceRequest r, QueuedRequest q, PriorityLevel level, boolean delayed) {
    int size = batching ? r.batchSize() : 1;
    if (found > 0) {
      if (rows + size > maxPreferred && preferredFound == 0) {
        // As Triton: a batch that cannot reach a preferred size goes as it is.
        preferredFound = found;
      }
      if (rows + size > maxBatchSize || !shapes.compatible(candidates[0], r)) {
        return false;
      }
    }
    candidates[found] = r;
    candidateSlots[found] = q;
    candidateLevels[found] = level;
    candidateDelayed[found] = delayed;
    found++;
    rows += size;
    if (Arrays.binarySearch(preferred, rows) >= 0) {
      preferredFound = found;
    }
    return !(onePerBatch || found == candidates.length || found >= share);
  }

  /** Answers and removes a ring request that must not run: cancelled, late or timed out. */
  @GuardedBy("this")
  private boolean dropped(PriorityLevel level, QueuedRequest q, InferenceRequest r, long now) {
    InferenceError error = unservable(r, now);
    if (error != null) {
      drop(level, q, error);
      return true;
    }
    if (q.hasTimeout && now - q.timeoutNanos > 0) {
      expire(level, q);
      return true;
    }
    return false;
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

  @GuardedBy("this")
  private void drop(PriorityLevel level, QueuedRequest q, InferenceError error) {
    InferenceRequest r = q.request;
    q.clear();
    level.left();
    progressed = true;
    accounting.fail(r, error);
  }

  /** Applies the level's timeout action to a ring request whose queue timeout expired. */
  @Override
  @GuardedBy("this")
  public void expire(PriorityLevel level, QueuedRequest q) {
    if (level.policy.timeoutAction() == QueuePolicy.TimeoutAction.REJECT) {
      drop(level, q, SchedulerErrors.QUEUE_TIMEOUT);
      return;
    }
    QueuedRequest kept = new QueuedRequest();
    kept.set(q.request, q.enqueueNanos, false, 0L);
    level.delayed.addLast(kept);
    q.clear();
    progressed = true;
  }

  /** Hands the first {@code take} candidates to {@code worker}. */
  @GuardedBy("this")
  private void hand(InstanceWorker worker, int take, long now) {
    BatchPlan plan = worker.plan;
    for (int i = 0; i < take; i++) {
      InferenceRequest r = candidates[i];
      PriorityLevel level = candidateLevels[i];
      if (candidateDelayed[i]) {
        level.delayed.pollFirst();
      } else {
        candidateSlots[i].clear();
      }
      level.left();
      r.markDispatched(now);
      plan.add(r);
    }
    plan.ordinal(nextOrdinal++);
    clearCandidates(found);
    releaseClearedSlots();
    accounting.dispatched(take);
    progressed = true;
    worker.assign();
  }

  /** Gives the slots of requests that left the queue back to producers. */
  private void releaseClearedSlots() {
    for (PriorityLevel level : levels) {
      level.releaseClearedSlots();
    }
  }

  @GuardedBy("this")
  private void clearCandidates(int count) {
    Arrays.fill(candidates, 0, count, null);
    Arrays.fill(candidateSlots, 0, count, null);
    Arrays.fill(candidateLevels, 0, count, null);
  }
}
