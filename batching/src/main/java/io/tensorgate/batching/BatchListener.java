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

  /**
   * Whether the worker should read its thread's CPU clock around every execution for {@link
   * #onBatchExecuted(int, ExecutionTimestamps, boolean, long, long)} (two clock reads a batch).
   * Asked once, when the worker is created.
   */
  default boolean measuresCpuTime() {
    return false;
  }

  /**
   * What the worker calls: {@link #onBatchExecuted(int, ExecutionTimestamps, boolean)} with what
   * the execution cost.
   *
   * @param cpuNanos CPU time of the worker thread inside the backend's execute; 0 unless {@link
   *     #measuresCpuTime()} (or when the JVM cannot measure thread CPU time)
   * @param deviceNanos device time the backend reported ({@code ExecutionResult.deviceNanos}); 0
   *     when it reports none or the execution failed
   */
  default void onBatchExecuted(
      int batchSize,
      ExecutionTimestamps timestamps,
      boolean success,
      long cpuNanos,
      long deviceNanos) {
    onBatchExecuted(batchSize, timestamps, success);
  }
}
