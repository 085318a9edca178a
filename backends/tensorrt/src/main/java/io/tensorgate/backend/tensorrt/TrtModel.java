package io.tensorgate.backend.tensorrt;

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
 * A loaded TensorRT model version: its checked configuration, the engine's description, and one
 * deserialized engine per GPU that its instances use (an engine belongs to the device it was
 * deserialized on). The engine on the first device is deserialized at load time to check the
 * configuration; others when their first instance is created.
 */
final class TrtModel implements Model {
  private final ModelDefinition definition;
  private final Path engineFile;
  private final EngineDescription description;
  private final ProfileSelector profiles;
  private final int deviceCount;
  private final Object lock = new Object();

  // Guarded by lock.
  private final Map<Integer, TrtEngine> engines = new HashMap<>();
  // Guarded by lock.
  private boolean closed;

  private TrtModel(
      ModelDefinition definition,
      Path engineFile,
      TrtEngine first,
      EngineDescription description,
      int deviceCount) {
    this.definition = definition;
    this.engineFile = engineFile;
    this.description = description;
    this.profiles = new ProfileSelector(description.profiles());
    this.deviceCount = deviceCount;
    engines.put(first.device(), first);
  }

  /**
   * Deserializes the definition's engine on GPU 0 (building it first when the model file is ONNX,
   * see {@link OnnxBuildSettings}), checks the configuration against it and returns the loaded
   * model, which the caller owns. On failure nothing stays allocated.
   */
  static TrtModel load(ModelDefinition definition, int deviceCount) throws BackendException {
    Objects.requireNonNull(definition, "definition");
    Path file = definition.modelFile();
    TrtEngine engine;
    if (OnnxBuildSettings.isOnnx(file)) {
      OnnxEngineBuilder.Plan plan = OnnxEngineBuilder.plan(definition, 0, false);
      try {
        engine = TrtEngine.deserialize(plan.file(), 0);
      } catch (BackendException e) {
        if (plan.built()) {
          throw e;
        }
        // A cached plan from another TensorRT version or GPU model: build it again.
        plan = OnnxEngineBuilder.plan(definition, 0, true);
        engine = TrtEngine.deserialize(plan.file(), 0);
      }
      file = plan.file();
    } else {
      engine = TrtEngine.deserialize(file, 0);
    }
    try {
      EngineDescription description = engine.describe();
      EngineConfigCheck.check(definition, description, file);
      return new TrtModel(definition, file, engine, description, deviceCount);
    } catch (BackendException | RuntimeException e) {
      engine.close();
      throw e;
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
    int device = Placements.deviceFor(definition.name(), placement, deviceCount);
    return TrtModelInstance.create(placement, definition.name(), engineOn(device), description);
  }

  private TrtEngine engineOn(int device) throws BackendException {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("model '" + definition.name() + "' is closed");
      }
      TrtEngine engine = engines.get(device);
      if (engine == null) {
        engine = TrtEngine.deserialize(engineFile, device);
        engines.put(device, engine);
      }
      return engine;
    }
  }

  /** Releases every engine; called after all instances were closed. Later calls do nothing. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      engines.values().forEach(TrtEngine::close);
      engines.clear();
    }
  }
}
