package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One engine deserialized on one CUDA device, with the runtime it came from and its description. An
 * engine is bound to the device it was deserialized on. Released once: the engine, then its
 * runtime, with the device current; {@link EngineCache} releases it only after every execution
 * context made from it.
 *
 * <p>Threading: created and released on load threads; each context made from it is used by one
 * worker thread, which TensorRT allows.
 */
final class TrtEngine {
  private static final System.Logger LOG = System.getLogger(TrtEngine.class.getName());

  private final CudaRuntime cuda;
  private final TensorRt.Runtime runtime;
  private final TensorRt.Engine engine;
  private final int device;
  private final EngineDescription description;
  private final AtomicBoolean released = new AtomicBoolean();

  private TrtEngine(
      CudaRuntime cuda,
      TensorRt.Runtime runtime,
      TensorRt.Engine engine,
      int device,
      EngineDescription description) {
    this.cuda = cuda;
    this.runtime = runtime;
    this.engine = engine;
    this.device = device;
    this.description = description;
  }

  /**
   * Deserializes a plan on {@code device}, which becomes current on the calling thread. On failure
   * nothing stays allocated.
   *
   * @param name the plan's file name, for messages
   * @throws BackendException when TensorRT refuses the plan
   */
  static TrtEngine deserialize(
      CudaRuntime cuda, TensorRt tensorRt, byte[] plan, String name, int device)
      throws BackendException {
    Objects.requireNonNull(plan, "plan");
    cuda.setDevice(device);
    TensorRt.Runtime runtime = tensorRt.createRuntime();
    TensorRt.Engine engine = null;
    try {
      engine = runtime.deserialize(plan);
      if (engine == null) {
        throw new BackendException(
            "TensorRT could not deserialize "
                + name
                + " on GPU "
                + device
                + gpuModel(cuda, device)
                + ": a plan only loads with the TensorRT version and GPU model it was built for"
                + " (TensorRT's log has the details)");
      }
      return new TrtEngine(cuda, runtime, engine, device, engine.describe());
    } catch (BackendException | RuntimeException e) {
      if (engine != null) {
        engine.release();
      }
      runtime.release();
      throw e;
    }
  }

  private static String gpuModel(CudaRuntime cuda, int device) {
    try {
      return " (" + cuda.gpuModel(device) + ")";
    } catch (BackendException | RuntimeException e) {
      return "";
    }
  }

  int device() {
    return device;
  }

  EngineDescription description() {
    return description;
  }

  /**
   * A new execution context on the engine's device, which the caller makes current first. One at a
   * time: models sharing the engine may create instances on different load threads.
   */
  synchronized TensorRt.Context createContext() {
    return engine.createContext();
  }

  /**
   * Releases the engine and then its runtime, the device current; later calls do nothing. Called
   * once no context made from it is left.
   */
  void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      cuda.setDevice(device);
    } catch (BackendException e) {
      LOG.log(
          Level.WARNING, "releasing a TensorRT engine on GPU " + device + ": " + e.getMessage());
    }
    // Not in a finally: a runtime released before its engine is undefined behaviour in TensorRT.
    engine.release();
    runtime.release();
  }
}
