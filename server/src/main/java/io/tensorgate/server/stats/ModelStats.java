package io.tensorgate.server.stats;

import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.batching.BatchListener;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The statistics of one model version: the single source of truth for the ModelStatistics RPC and
 * for the Prometheus metrics built on top of it. Cumulative for as long as the version stays in
 * service: a reload hands them on to the version's successor (as Triton's metric reporter is shared
 * by a model and its reloaded successor), and the RPC counts from a {@link StatsSnapshot} taken
 * when its counts restart.
 *
 * <p>Thread-safe and lock-free; written by gRPC and instance-worker threads, read on demand.
 */
public final class ModelStats implements BatchListener {
  /** Why a request failed, as Triton's {@code nv_inference_request_failure} reasons. */
  public enum FailureReason {
    REJECTED,
    CANCELED,
    BACKEND,
    OTHER
  }

  private final Duration success = new Duration();
  private final Duration fail = new Duration();
  private final Duration queue = new Duration();
  private final Duration computeInput = new Duration();
  private final Duration computeInfer = new Duration();
  private final Duration computeOutput = new Duration();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final Map<FailureReason, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<Integer, BatchDurations> batches = new ConcurrentHashMap<>();
  private final ExecutionCost cost = new ExecutionCost();
  private volatile long lastInferenceMillis;
  private volatile long loadDurationNanos;

  public ModelStats() {
    for (FailureReason r : FailureReason.values()) {
      failures.put(r, new LongAdder());
    }
  }

  /**
   * Records a request that was answered successfully.
   *
   * @param batchSize the request's batch size (Triton counts a batch of N as N inferences)
   * @param requestNanos from arrival to response
   * @param queueNanos from arrival to dispatch
   * @param execution the timestamps of the execution that served it
   */
  public void recordSuccess(
      int batchSize, long requestNanos, long queueNanos, ExecutionTimestamps execution) {
    success.record(requestNanos);
    queue.record(queueNanos);
    computeInput.record(execution.computeInputNanos());
    computeInfer.record(execution.computeInferNanos());
    computeOutput.record(execution.computeOutputNanos());
    inferenceCount.add(batchSize);
    lastInferenceMillis = System.currentTimeMillis();
  }

  /** Records a request that resolved to this version and then failed. */
  public void recordFailure(FailureReason reason, long requestNanos) {
    fail.record(requestNanos);
    failures.get(reason).increment();
    lastInferenceMillis = System.currentTimeMillis();
  }

  /** Records how long loading this version took (backend load, instances, warm-up). */
  public void recordLoadDuration(long nanos) {
    loadDurationNanos = nanos;
  }

  /** How long loading this version took, in nanoseconds; 0 until recorded. */
  public long loadDurationNanos() {
    return loadDurationNanos;
  }

  @Override
  public void onBatchExecuted(int batchSize, ExecutionTimestamps ts, boolean ok) {
    if (!ok) {
      return;
    }
    executionCount.increment();
    batches.computeIfAbsent(batchSize, k -> new BatchDurations()).record(ts);
  }

  @Override
  public void onBatchExecuted(int batchSize, ExecutionTimestamps ts, boolean ok, long deviceNanos) {
    onBatchExecuted(batchSize, ts, ok);
    cost.record(batchSize, ok, deviceNanos);
  }

  @Override
  public void onMirroredBatchExecuted(int batchSize, boolean ok, long deviceNanos) {
    cost.record(batchSize, ok, deviceNanos);
  }

  /** CPU and device time of the executions, and the inferences they served. */
  public ExecutionCost cost() {
    return cost;
  }

  public Duration success() {
    return success;
  }

  public Duration fail() {
    return fail;
  }

  public Duration queue() {
    return queue;
  }

  public Duration computeInput() {
    return computeInput;
  }

  public Duration computeInfer() {
    return computeInfer;
  }

  public Duration computeOutput() {
    return computeOutput;
  }

  public long inferenceCount() {
    return inferenceCount.sum();
  }

  public long executionCount() {
    return executionCount.sum();
  }

  public long failureCount(FailureReason reason) {
    return failures.get(reason).sum();
  }

  /** Milliseconds since the epoch of the last inference; 0 if none. */
  public long lastInferenceMillis() {
    return lastInferenceMillis;
  }

  /** The statistics now; fields are read one after the other, not atomically together. */
  public StatsSnapshot snapshot() {
    Map<Integer, StatsSnapshot.Batch> b = new HashMap<>();
    batches.forEach(
        (size, d) ->
            b.put(
                size,
                new StatsSnapshot.Batch(
                    StatsSnapshot.Count.of(d.computeInput),
                    StatsSnapshot.Count.of(d.computeInfer),
                    StatsSnapshot.Count.of(d.computeOutput))));
    return new StatsSnapshot(
        StatsSnapshot.Count.of(success),
        StatsSnapshot.Count.of(fail),
        StatsSnapshot.Count.of(queue),
        StatsSnapshot.Count.of(computeInput),
        StatsSnapshot.Count.of(computeInfer),
        StatsSnapshot.Count.of(computeOutput),
        inferenceCount.sum(),
        executionCount.sum(),
        lastInferenceMillis,
        b);
  }

  /** Per-batch-size execution durations, keyed by batch size. */
  public Map<Integer, BatchDurations> batches() {
    return Map.copyOf(batches);
  }

  /** The compute durations of the executions of one batch size. */
  public static final class BatchDurations {
    private final Duration computeInput = new Duration();
    private final Duration computeInfer = new Duration();
    private final Duration computeOutput = new Duration();

    void record(ExecutionTimestamps ts) {
      computeInput.record(ts.computeInputNanos());
      computeInfer.record(ts.computeInferNanos());
      computeOutput.record(ts.computeOutputNanos());
    }

    public Duration computeInput() {
      return computeInput;
    }

    public Duration computeInfer() {
      return computeInfer;
    }

    public Duration computeOutput() {
      return computeOutput;
    }
  }
}
