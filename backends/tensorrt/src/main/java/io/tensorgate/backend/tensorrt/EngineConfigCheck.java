package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a model's configuration against what its engine declares, with the rules of Triton's
 * TensorRT backend: the configuration names every engine input (and only those) and some or all of
 * its outputs, with the same datatypes; a batching model's engine tensors have a dynamic first
 * dimension and its optimization profiles together accept every batch size from 1 to {@code
 * max_batch_size}; for inputs every fixed engine dimension matches the configuration, for outputs
 * every dimension does.
 */
final class EngineConfigCheck {
  private final ModelDefinition definition;
  private final EngineDescription engine;
  private final Path engineFile;

  private EngineConfigCheck(ModelDefinition definition, EngineDescription engine, Path engineFile) {
    this.definition = definition;
    this.engine = engine;
    this.engineFile = engineFile;
  }

  /**
   * @throws BackendException naming the first contradiction between configuration and engine
   */
  static void check(ModelDefinition definition, EngineDescription engine, Path engineFile)
      throws BackendException {
    new EngineConfigCheck(definition, engine, engineFile).check();
  }

  private void check() throws BackendException {
    engine.signature(engineFile);
    List<EngineTensor> inputs = engine.inputs();
    if (definition.inputs().size() != inputs.size()) {
      throw failure(
          "the configuration has "
              + definition.inputs().size()
              + " inputs but the engine has "
              + inputs.size()
              + " "
              + names(inputs));
    }
    for (TensorSpec configured : definition.inputs()) {
      EngineTensor actual = find(configured, true);
      checkTensor(configured, actual, false);
    }
    for (TensorSpec configured : definition.outputs()) {
      EngineTensor actual = find(configured, false);
      checkTensor(configured, actual, true);
    }
    if (definition.batching()) {
      long uncovered = firstUncoveredBatchSize(engine.profiles(), definition.maxBatchSize());
      if (uncovered > 0) {
        throw failure(
            "max_batch_size is "
                + definition.maxBatchSize()
                + " but no optimization profile of the engine accepts batch size "
                + uncovered
                + "; profiles: "
                + engine.profiles());
      }
    }
  }

  private EngineTensor find(TensorSpec configured, boolean input) throws BackendException {
    EngineTensor t = engine.find(configured.name());
    String role = input ? "input" : "output";
    if (t == null || t.isInput() != input) {
      throw failure(
          "configuration "
              + role
              + " '"
              + configured.name()
              + "' is not an "
              + role
              + " of the engine, whose "
              + role
              + "s are "
              + names(input ? engine.inputs() : engine.outputs()));
    }
    return t;
  }

  private void checkTensor(TensorSpec configured, EngineTensor actual, boolean exact)
      throws BackendException {
    String role = actual.isInput() ? "input" : "output";
    if (configured.dataType() != actual.dataType()) {
      throw failure(
          "configuration expects datatype TYPE_"
              + configured.dataType()
              + " for "
              + role
              + " '"
              + configured.name()
              + "', engine provides TYPE_"
              + actual.dataType());
    }
    long[] engineShape = actual.shape();
    if (engineShape.length == 0) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "' is a scalar (rank 0) in the engine, which the TensorRT backend does not serve");
    }
    if (definition.batching() && engineShape[0] != -1) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': for the model to support batching (max_batch_size > 0) its first dimension"
              + " must be dynamic (-1), but the engine's shape is "
              + Shapes.toString(engineShape));
    }
    long[] dims = configured.shape();
    long[] full = definition.batching() ? Shapes.prepend(-1, dims) : dims;
    if (!compatible(engineShape, full, exact)) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': the engine's shape "
              + Shapes.toString(engineShape)
              + " does not match the configured shape "
              + Shapes.toString(full)
              + (definition.batching() ? " (dims with the batch dimension in front)" : ""));
    }
  }

  /** Where {@code exact} is false, a dynamic engine dimension accepts any configured size. */
  private static boolean compatible(long[] engineShape, long[] full, boolean exact) {
    if (engineShape.length != full.length) {
      return false;
    }
    for (int i = 0; i < full.length; i++) {
      if ((exact || engineShape[i] != -1) && engineShape[i] != full[i]) {
        return false;
      }
    }
    return true;
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

  private BackendException failure(String what) {
    return new BackendException(
        "unable to load model '" + definition.name() + "' from " + engineFile + ": " + what);
  }

  private static String names(List<EngineTensor> tensors) {
    return tensors.stream().map(EngineTensor::name).collect(Collectors.joining(", ", "[", "]"));
  }
}
