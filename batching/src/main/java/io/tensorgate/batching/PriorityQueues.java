package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;

/**
 * The priority levels of a dynamic-batching scheduler, highest first, and the admission into them.
 * A model without priority levels has one.
 */
final class PriorityQueues implements Admission {
  final PriorityLevel[] levels;
  private final int defaultLevel;

  PriorityQueues(SchedulerConfig config, BatcherWakeup wakeup) {
    int count = Math.max(1, config.priorityLevels());
    levels = new PriorityLevel[count];
    for (int i = 0; i < count; i++) {
      QueuePolicy policy =
          config.priorityLevels() == 0 ? config.defaultQueuePolicy() : config.queuePolicy(i + 1);
      levels[i] = new PriorityLevel(policy, config.ringSize(), wakeup);
    }
    defaultLevel = config.priorityLevels() == 0 ? 1 : config.defaultPriorityLevel();
  }

  /**
   * Queues the request at its level. As in Triton, priority 0 and levels the model does not have
   * mean the default level.
   */
  @Override
  public InferenceError offer(InferenceRequest request, long now) {
    int p = request.priorityLevel();
    int level = p <= 0 || p > levels.length ? defaultLevel : p;
    return levels[level - 1].offer(request, now);
  }
}
