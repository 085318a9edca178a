package io.tensorgate.server.stats;

import java.util.Map;
import java.util.TreeMap;

/**
 * A version's statistics at one moment, as the ModelStatistics RPC reports them; {@link #since}
 * gives what happened after an earlier snapshot. Immutable.
 *
 * @param lastInferenceMillis milliseconds since the epoch of the last inference, 0 if none
 * @param batches per batch size: compute input, infer and output
 */
public record StatsSnapshot(
    Count success,
    Count fail,
    Count queue,
    Count computeInput,
    Count computeInfer,
    Count computeOutput,
    long inferenceCount,
    long executionCount,
    long lastInferenceMillis,
    Map<Integer, Batch> batches) {

  /** Nothing happened yet. */
  public static final StatsSnapshot EMPTY =
      new StatsSnapshot(
          Count.ZERO,
          Count.ZERO,
          Count.ZERO,
          Count.ZERO,
          Count.ZERO,
          Count.ZERO,
          0,
          0,
          0,
          Map.of());

  public StatsSnapshot {
    batches = Map.copyOf(batches);
  }

  /** A count and a total of nanoseconds. */
  public record Count(long count, long nanos) {
    public static final Count ZERO = new Count(0, 0);

    static Count of(Duration d) {
      return new Count(d.count(), d.nanos());
    }

    Count minus(Count o) {
      return new Count(count - o.count, nanos - o.nanos);
    }
  }

  /** The executions of one batch size. */
  public record Batch(Count computeInput, Count computeInfer, Count computeOutput) {
    static final Batch ZERO = new Batch(Count.ZERO, Count.ZERO, Count.ZERO);

    Batch minus(Batch o) {
      return new Batch(
          computeInput.minus(o.computeInput),
          computeInfer.minus(o.computeInfer),
          computeOutput.minus(o.computeOutput));
    }
  }

  /**
   * What happened after {@code earlier}, a snapshot of the same statistics: batch sizes without
   * executions since are left out, and the last inference is 0 when there was none since.
   */
  public StatsSnapshot since(StatsSnapshot earlier) {
    Map<Integer, Batch> b = new TreeMap<>();
    batches.forEach(
        (size, now) -> {
          Batch d = now.minus(earlier.batches.getOrDefault(size, Batch.ZERO));
          if (d.computeInfer.count() > 0) {
            b.put(size, d);
          }
        });
    return new StatsSnapshot(
        success.minus(earlier.success),
        fail.minus(earlier.fail),
        queue.minus(earlier.queue),
        computeInput.minus(earlier.computeInput),
        computeInfer.minus(earlier.computeInfer),
        computeOutput.minus(earlier.computeOutput),
        inferenceCount - earlier.inferenceCount,
        executionCount - earlier.executionCount,
        lastInferenceMillis == earlier.lastInferenceMillis ? 0 : lastInferenceMillis,
        b);
  }
}
