package io.tensorgate.backend.tensorrt;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded TensorRT model version: its checked configuration, the engine's description, and a hold
 * on the engine on each GPU its instances use (an engine belongs to the device it was deserialized
 * on). The engine on GPU 0 is taken at load time to check the configuration, others when their
 * first instance is created; each instance holds the engine too, so the engine outlives every
 * context made from it even when an instance closes after the model. Engines come from the
 * provider's {@link EngineCache}, shared with every other holder of the same plan.
 */
final class TrtModel implements Model {
  private final ModelDefinition definition;
  private final TrtBackend backend;
  private final EngineDescription description;
  private final ProfileSelector profiles;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Map<Integer, EngineCache.Lease> engines = new HashMap<>();

  @GuardedBy("lock")
  private boolean closed;

  private TrtModel(ModelDefinition definition, TrtBackend backend, EngineCache.Lease first) {
    this.definition = definition;
    this.backend = backend;
    this.description = first.engine().description();
    this.profiles = new ProfileSelector(description.profiles());
    engines.put(first.engine().device(), first);
  }

  /**
   * Takes the definition's engine on GPU 0 (building it first when the model file is ONNX), checks
   * the configuration against it and returns the loaded model, which the caller owns. On failure
   * nothing stays held.
   */
  static TrtModel load(ModelDefinition definition, TrtBackend backend) throws BackendException {
    Objects.requireNonNull(definition, "definition");
    EngineCache.Lease lease = engineOn(definition, backend, 0);
    try {
      EngineConfigCheck.check(
          definition, lease.engine().description(), definition.modelFile().getFileName());
      return new TrtModel(definition, backend, lease);
    } catch (BackendException | RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /** The engine for {@code device}: from the plan file, or from the ONNX model's plan for it. */
  private static EngineCache.Lease engineOn(
      ModelDefinition definition, TrtBackend backend, int device) throws BackendException {
    Path file = definition.modelFile();
    if (!OnnxBuildSettings.isOnnx(file)) {
      return backend.engines().acquire(file, device);
    }
    OnnxPlans.Plan plan = backend.plans().find(definition, device, false);
    try {
      return backend.engines().acquire(plan.file(), device);
    } catch (BackendException e) {
      if (plan.built()) {
        throw e;
      }
      // The key matched, yet TensorRT refused the plan (a damaged file, a changed driver): rebuild.
      plan = backend.plans().find(definition, device, true);
      return backend.engines().acquire(plan.file(), device);
    }
  }

  @Override
  public ModelDefinition definition() {
    return definition;
  }

  /**
   * Refuses a request whose input shapes fit no optimization profile, before it is queued, so that
   * it never fails the batch it would join.
   */
  @Override
  public void checkInputs(List<Tensor> inputs) throws InferenceException {
    profiles.check(definition.name(), inputs);
  }

  /**
   * Creates an instance on its placement's GPU ({@code KIND_MODEL} uses GPU 0).
   *
   * @throws BackendException for a CPU placement, a missing device, or when TensorRT or CUDA refuse
   */
  @Override
  public ModelInstance newInstance(InstancePlacement placement) throws BackendException {
    Objects.requireNonNull(placement, "placement");
    int device = Placements.deviceFor(definition.name(), placement, backend.deviceCount());
    EngineCache.Lease lease;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("model '" + definition.name() + "' is closed");
      }
      EngineCache.Lease held = engines.get(device);
      if (held == null) {
        held = engineOn(definition, backend, device);
        engines.put(device, held);
      }
      lease = held.share();
    }
    return TrtModelInstance.create(placement, definition.name(), backend.cuda(), lease);
  }

  /**
   * Lets go of the model's engines; each is released once no instance holds it either. Called once
   * (later calls do nothing), normally after every instance was closed.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      engines.values().forEach(EngineCache.Lease::close);
      engines.clear();
    }
  }
}
