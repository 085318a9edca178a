package io.tensorgate.batching;

import io.tensorgate.backend.ExecutionTimestamps;

/**
 * Told about every model execution, for statistics and metrics, except executions of {@linkplain
 * InferenceRequest#mirrored() mirrored} requests. Called on the instance worker thread right after
 * the execution; must not block.
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
}
