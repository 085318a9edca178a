package io.tensorgate.batching;

import io.tensorgate.backend.ModelInstance;
import java.util.ArrayList;
import java.util.List;

/** Builds sequence-batching schedulers (for {@link Schedulers#create}). */
final class SequenceSchedulers {
  private SequenceSchedulers() {}

  static Scheduler create(
      SchedulerConfig config, List<ModelInstance> instances, BatchListener batchListener) {
    BatcherWakeup wakeup = new BatcherWakeup();
    RequestAccounting accounting = new RequestAccounting(wakeup, config.name());
    boolean batching = config.maxBatchSize() > 0;
    int capacity = SequenceBatcher.capacity(config);
    ServiceRate rate = new ServiceRate();
    List<InstanceWorker> workers = new ArrayList<>(instances.size());
    for (ModelInstance instance : instances) {
      SequenceInputs sequenceInputs = new SequenceInputs(config.sequence(), batching);
      InstanceWorker worker =
          new InstanceWorker(
              instance,
              new BatchPlan(capacity, batching),
              new BatchAssembler(batching, config.raggedInputs(), sequenceInputs, instance),
              new OutputScatter(batching),
              sequenceInputs,
              accounting,
              batchListener,
              wakeup,
              rate);
      worker.deliverThrough(Delivery.IMMEDIATE);
      workers.add(worker);
    }
    SequenceRegistry registry = new SequenceRegistry(config, wakeup);
    WorkerPool pool = new WorkerPool(workers);
    SequenceBatcher batcher = new SequenceBatcher(config, registry, pool, accounting);
    return new DisruptorScheduler(
        config.name(),
        registry,
        batcher,
        accounting,
        pool,
        wakeup,
        null,
        null,
        null,
        new WorkerCpuTime());
  }
}
