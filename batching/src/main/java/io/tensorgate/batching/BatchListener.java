package io.tensorgate.batching;

import io.tensorgate.backend.ExecutionTimestamps;

/**
 * Told about every model execution, for statistics and metrics; executions of {@linkplain
 * InferenceRequest#mirrored() mirrored} requests only through {@link #onMirroredBatchExecuted}.
 * Called on the instance worker thread right after the execution; must not block.
 */
@FunctionalInterface
public interface BatchListener {
  BatchListener NONE = (size, ts, ok) -> {};

  /**
   * @param batchSize the batch size executed
   * @param timestamps the backend's four timestamps
   * @param success whether the execution succeeded
   */
  void onBatchExecuted(int batchSize, ExecutionTimestamps timestamps, boolean success);

  /**
   * What the worker calls: {@link #onBatchExecuted(int, ExecutionTimestamps, boolean)} with the
   * device time the execution reported. (CPU time is not measured per execution: see {@link
   * Scheduler#workerCpuNanos()}.)
   *
   * @param deviceNanos device time the backend reported ({@code ExecutionResult.deviceNanos}); 0
   *     when it reports none or the execution failed
   */
  default void onBatchExecuted(
      int batchSize, ExecutionTimestamps timestamps, boolean success, long deviceNanos) {
    onBatchExecuted(batchSize, timestamps, success);
  }

  /**
   * A batch of {@linkplain InferenceRequest#mirrored() mirrored} (shadow) requests ran: not part of
   * the statistics, but its resources were spent, so cost accounting counts it.
   *
   * @param deviceNanos as for {@link #onBatchExecuted(int, ExecutionTimestamps, boolean, long)}
   */
  default void onMirroredBatchExecuted(int batchSize, boolean success, long deviceNanos) {}
}
