package io.tensorgate.batching;

import io.tensorgate.backend.ModelInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Creates the scheduler a model version's configuration asks for. */
public final class Schedulers {
  private Schedulers() {}

  /**
   * Creates and starts a scheduler over the given instances: one worker thread per instance, named
   * {@code <config.name()>-instance-<i>}, and one batcher thread, {@code <config.name()>-batcher}.
   *
   * @param config the model version's scheduling settings
   * @param instances the instances to run batches on; the caller keeps ownership and closes them
   *     after {@link Scheduler#close}
   * @param batchListener told about every execution
   * @throws IllegalArgumentException when there is no instance
   */
  public static Scheduler create(
      SchedulerConfig config, List<ModelInstance> instances, BatchListener batchListener) {
    return create(config, instances, batchListener, InstanceSupervisor.NONE);
  }

  /**
   * As {@link #create(SchedulerConfig, List, BatchListener)}, with an execution watchdog when
   * {@link SchedulerConfig#executionTimeoutNanos} is positive: a batch executing longer fails with
   * INTERNAL and {@code supervisor} makes the instance that replaces the hung one. Not for sequence
   * batching or {@code preserve_ordering} with several instances, which run unwatched. With {@link
   * SchedulerConfig#maxQueueWaitNanos} positive, requests whose predicted queue wait exceeds it (or
   * their deadline) are refused at admission; not for sequence batching, whose requests must not be
   * refused in the middle of a sequence.
   */
  public static Scheduler create(
      SchedulerConfig config,
      List<ModelInstance> instances,
      BatchListener batchListener,
      InstanceSupervisor supervisor) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(supervisor, "supervisor");
    Objects.requireNonNull(batchListener, "batchListener");
    List<ModelInstance> list = List.copyOf(Objects.requireNonNull(instances, "instances"));
    if (list.isEmpty()) {
      throw new IllegalArgumentException("scheduler '" + config.name() + "' needs an instance");
    }
    if (config.sequence() != null) {
      return SequenceSchedulers.create(config, list, batchListener);
    }
    BatcherWakeup wakeup = new BatcherWakeup();
    RequestAccounting accounting = new RequestAccounting(wakeup, config.name());
    boolean batching = config.maxBatchSize() > 0;
    int capacity = DynamicBatcher.capacity(config);
    ServiceRate rate = new ServiceRate();
    WorkerCpuTime cpuTime = new WorkerCpuTime();
    Function<ModelInstance, InstanceWorker> newWorker =
        instance ->
            new InstanceWorker(
                instance,
                new BatchPlan(capacity, batching),
                new BatchAssembler(batching, config.raggedInputs(), null, instance),
                new OutputScatter(batching),
                null,
                accounting,
                batchListener,
                wakeup,
                rate);
    List<InstanceWorker> workers = new ArrayList<>(list.size());
    for (ModelInstance instance : list) {
      workers.add(newWorker.apply(instance));
    }
    Delivery delivery =
        config.dynamicBatching() && config.preserveOrdering() && workers.size() > 1
            ? new OrderedDelivery(workers.size())
            : Delivery.IMMEDIATE;
    for (InstanceWorker w : workers) {
      w.deliverThrough(delivery);
    }
    PriorityQueues queues = new PriorityQueues(config, wakeup);
    WorkerPool pool = new WorkerPool(workers);
    DynamicBatcher batcher = new DynamicBatcher(config, queues, pool, accounting);
    if (delivery == Delivery.IMMEDIATE) {
      workers.forEach(w -> w.refillFrom(batcher));
    }
    DirectDispatch direct =
        delivery == Delivery.IMMEDIATE && !hasDelayQueues(config)
            ? new DirectDispatch(
                queues.levels, pool, accounting, wakeup, config.inlineExecution(), cpuTime)
            : null;
    DisruptorScheduler.Supervision supervision = null;
    if (config.executionTimeoutNanos() > 0 && delivery == Delivery.IMMEDIATE) {
      Function<ModelInstance, InstanceWorker> replacement =
          instance -> {
            InstanceWorker w = newWorker.apply(instance);
            w.deliverThrough(Delivery.IMMEDIATE);
            w.refillFrom(batcher);
            return w;
          };
      supervision =
          new DisruptorScheduler.Supervision(
              config.executionTimeoutNanos(), supervisor, replacement);
    }
    QueueWaitLimit waitLimit =
        config.maxQueueWaitNanos() > 0
            ? new QueueWaitLimit(config.name(), rate, config.maxQueueWaitNanos())
            : null;
    return new DisruptorScheduler(
        config.name(),
        queues,
        batcher,
        accounting,
        pool,
        wakeup,
        direct,
        supervision,
        waitLimit,
        cpuTime);
  }

  /** Whether a level keeps timed-out requests aside (DELAY), which only the batcher may touch. */
  private static boolean hasDelayQueues(SchedulerConfig config) {
    if (delays(config.defaultQueuePolicy())) {
      return true;
    }
    for (QueuePolicy p : config.priorityQueuePolicies().values()) {
      if (delays(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean delays(QueuePolicy p) {
    return p.timeoutAction() == QueuePolicy.TimeoutAction.DELAY && p.defaultTimeoutMicros() > 0;
  }
}
