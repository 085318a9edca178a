package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.SignatureCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a model's configuration against what its engine declares: Triton's shared rules ({@link
 * SignatureCheck}), plus the TensorRT backend's own: no scalar (rank 0) tensors, and a batching
 * model's optimization profiles together accept every batch size from 1 to {@code max_batch_size}.
 */
final class EngineConfigCheck {
  private EngineConfigCheck() {}

  /**
   * @throws BackendException naming the first contradiction between configuration and engine
   */
  static void check(ModelDefinition definition, EngineDescription engine, Path engineFile)
      throws BackendException {
    SignatureCheck check =
        new SignatureCheck(definition, engine.signature(engineFile), "engine", engineFile);
    check.check(
        (configured, input) -> {
          throw check.failure(
              (input ? "input" : "output")
                  + " '"
                  + configured.name()
                  + "' is a scalar (rank 0) in the engine, which the TensorRT backend does not"
                  + " serve");
        });
    if (definition.batching()) {
      long uncovered = firstUncoveredBatchSize(engine.profiles(), definition.maxBatchSize());
      if (uncovered > 0) {
        throw check.failure(
            "max_batch_size is "
                + definition.maxBatchSize()
                + " but no optimization profile of the engine accepts batch size "
                + uncovered
                + "; profiles: "
                + engine.profiles());
      }
    }
  }

  /**
   * The smallest batch size in {@code [1, maxBatchSize]} that no profile accepts, or 0 when every
   * one is accepted. A profile accepts the batch sizes that lie in every input's first-dimension
   * range; the union of those intervals is swept once, so this is cheap for any max_batch_size.
   */
  static long firstUncoveredBatchSize(List<OptimizationProfile> profiles, long maxBatchSize) {
    List<long[]> intervals = new ArrayList<>();
    for (OptimizationProfile p : profiles) {
      long[] interval = batchInterval(p);
      if (interval != null) {
        intervals.add(interval);
      }
    }
    intervals.sort(Comparator.comparingLong(i -> i[0]));
    long next = 1;
    for (long[] interval : intervals) {
      if (interval[0] > next) {
        break;
      }
      next = Math.max(next, interval[1] + 1);
      if (next > maxBatchSize) {
        return 0;
      }
    }
    return next > maxBatchSize ? 0 : next;
  }

  /** The batch sizes a profile accepts as {@code [low, high]}, or null when it accepts none. */
  private static long[] batchInterval(OptimizationProfile p) {
    long low = 1;
    long high = Long.MAX_VALUE;
    boolean any = false;
    for (ShapeRange r : p.ranges()) {
      if (r.rank() == 0) {
        return null;
      }
      low = Math.max(low, r.minDim(0));
      high = Math.min(high, r.maxDim(0));
      any = true;
    }
    return any && low <= high ? new long[] {low, high} : null;
  }
}
