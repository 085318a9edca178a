package io.tensorgate.batching;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DynamicBatcher} over workers whose threads never start: a test calls {@link
 * DynamicBatcher#dispatch} with the clock it chooses, reads what each worker was handed, and
 * finishes batches itself. Deterministic, no thread and no wait.
 */
final class BatcherRig {
  final Responses responses = new Responses();
  final BatcherWakeup wakeup = new BatcherWakeup();
  final RequestAccounting accounting = new RequestAccounting(wakeup, "rig:1");
  final PriorityQueues queues;
  final List<InstanceWorker> workers = new ArrayList<>();
  final WorkerPool pool;
  final DynamicBatcher batcher;

  /** Clock values tests start from. */
  static final long T0 = 1_000_000_000L;

  static final long MILLI = 1_000_000L;

  static QueuePolicy reject(long timeoutMicros, int maxQueueSize) {
    return new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, timeoutMicros, true, maxQueueSize);
  }

  static QueuePolicy delay(long timeoutMicros, int maxQueueSize) {
    return new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, timeoutMicros, true, maxQueueSize);
  }

  /** One instance, dynamic batching up to {@code maxBatchSize}, {@code policy} for every level. */
  static BatcherRig rig(int maxBatchSize, QueuePolicy policy) {
    return new BatcherRig(Configs.dynamic(maxBatchSize).defaultQueuePolicy(policy).build(), 1);
  }

  /**
   * Workers over {@link FakeInstance}s whose threads never start, for a batcher a test drives: it
   * reads what each was handed from its plan.
   */
  static List<InstanceWorker> idleWorkers(
      SchedulerConfig config,
      int capacity,
      int instances,
      RequestAccounting accounting,
      BatcherWakeup wakeup) {
    boolean batching = config.maxBatchSize() > 0;
    List<InstanceWorker> out = new ArrayList<>(instances);
    for (int i = 0; i < instances; i++) {
      FakeInstance instance = new FakeInstance("i" + i);
      out.add(
          new InstanceWorker(
              instance,
              new BatchPlan(capacity, batching),
              new BatchAssembler(batching, config.raggedInputs(), null, instance),
              new OutputScatter(batching),
              null,
              accounting,
              BatchListener.NONE,
              wakeup,
              new ServiceRate()));
    }
    return out;
  }

  BatcherRig(SchedulerConfig config, int instances) {
    queues = new PriorityQueues(config, wakeup);
    workers.addAll(
        idleWorkers(config, DynamicBatcher.capacity(config), instances, accounting, wakeup));
    pool = new WorkerPool(workers);
    batcher = new DynamicBatcher(config, queues, pool, accounting);
  }

  /** Submits a one-row request as the scheduler does: counted, then offered to its level. */
  io.tensorgate.backend.InferenceError offer(InferenceRequest.Builder request, long now) {
    accounting.enter();
    io.tensorgate.backend.InferenceError refused = queues.offer(request.build(), now);
    if (refused != null) {
      accounting.refused();
    }
    return refused;
  }

  /** One-row FP32 request answered to this rig's {@link Responses}. */
  InferenceRequest.Builder request(String id) {
    return Requests.fp32(id, responses, 1f);
  }

  /** The ids in worker {@code i}'s plan, in batch order; empty while it has none. */
  List<String> plan(int i) {
    BatchPlan plan = workers.get(i).plan;
    List<String> ids = new ArrayList<>();
    for (int j = 0; j < plan.count(); j++) {
      ids.add(plan.request(j).id());
    }
    return ids;
  }

  /** Answers worker {@code i}'s batch with success and makes the worker idle again. */
  void finish(int i) {
    InstanceWorker w = workers.get(i);
    w.plan.executed(null);
    w.answer();
    w.release();
  }

  /** Answers worker {@code i}'s batch and lets it take the next one itself, as under load. */
  boolean finishAndRefill(int i, long now) {
    InstanceWorker w = workers.get(i);
    w.plan.executed(null);
    w.answer();
    w.plan.clear();
    return batcher.refill(w, now);
  }

  PriorityLevel level(int priority) {
    return queues.levels[priority - 1];
  }
}
