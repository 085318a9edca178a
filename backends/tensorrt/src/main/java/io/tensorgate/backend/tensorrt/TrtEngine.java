package io.tensorgate.backend.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.tensorgate.backend.BackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.global.nvinfer.TensorLocation;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * One engine deserialized on one CUDA device, with the runtime and logger it needs. An engine is
 * bound to the device it was deserialized on, so a model keeps one per device its instances use.
 *
 * <p>Threading: created and closed on load threads; execution contexts made from it are used by one
 * worker thread each, which TensorRT allows.
 */
final class TrtEngine implements AutoCloseable {
  private final TrtLogger logger;
  private final IRuntime runtime;
  private final ICudaEngine engine;
  private final int device;

  private TrtEngine(TrtLogger logger, IRuntime runtime, ICudaEngine engine, int device) {
    this.logger = logger;
    this.runtime = runtime;
    this.engine = engine;
    this.device = device;
  }

  /**
   * Reads and deserializes a plan file on {@code device}, which becomes current on the calling
   * thread.
   *
   * @throws BackendException when the file cannot be read or TensorRT refuses it
   */
  static TrtEngine deserialize(Path file, int device) throws BackendException {
    byte[] plan;
    try {
      plan = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BackendException("cannot read TensorRT engine " + file + ": " + e, e);
    }
    Cuda.setDevice(device);
    TrtLogger logger = new TrtLogger();
    IRuntime runtime = createInferRuntime(logger);
    if (runtime == null || runtime.isNull()) {
      logger.deallocate();
      throw new BackendException("TensorRT could not create a runtime (createInferRuntime)");
    }
    ICudaEngine engine;
    try (BytePointer bytes = new BytePointer(plan)) {
      engine = runtime.deserializeCudaEngine(bytes, plan.length);
    }
    if (engine == null || engine.isNull()) {
      runtime.deallocate();
      logger.deallocate();
      throw new BackendException(
          "TensorRT could not deserialize "
              + file
              + " on GPU "
              + device
              + ": a plan only loads with the TensorRT version and GPU model it was built for"
              + " (TensorRT's log has the details)");
    }
    return new TrtEngine(logger, runtime, engine, device);
  }

  ICudaEngine engine() {
    return engine;
  }

  int device() {
    return device;
  }

  /** Copies the engine's I/O tensors and optimization profiles into plain Java. */
  EngineDescription describe() {
    List<EngineTensor> tensors = new ArrayList<>();
    int n = engine.getNbIOTensors();
    for (int i = 0; i < n; i++) {
      String name = engine.getIOTensorName(i);
      tensors.add(
          new EngineTensor(
              name,
              engine.getTensorIOMode(name).value == TensorIOMode.kINPUT.value,
              engine.getTensorDataType(name).value,
              dims(engine.getTensorShape(name)),
              engine.getTensorFormat(name).value == TensorFormat.kLINEAR.value,
              engine.getTensorLocation(name).value == TensorLocation.kDEVICE.value));
    }
    List<OptimizationProfile> profiles = new ArrayList<>();
    for (int p = 0; p < engine.getNbOptimizationProfiles(); p++) {
      Map<String, ShapeRange> ranges = new LinkedHashMap<>();
      for (EngineTensor t : tensors) {
        if (t.isInput()) {
          ranges.put(t.name(), range(t, p));
        }
      }
      profiles.add(new OptimizationProfile(p, ranges));
    }
    return new EngineDescription(tensors, profiles);
  }

  /** An input's range in a profile; a static input's range is its one shape. */
  private ShapeRange range(EngineTensor t, int profile) {
    long[] min = dims(engine.getProfileShape(t.name(), profile, OptProfileSelector.kMIN));
    if (min.length != t.rank()) {
      long[] fixed = t.shape();
      return new ShapeRange(fixed, fixed, fixed);
    }
    long[] opt = dims(engine.getProfileShape(t.name(), profile, OptProfileSelector.kOPT));
    long[] max = dims(engine.getProfileShape(t.name(), profile, OptProfileSelector.kMAX));
    return new ShapeRange(min, opt, max);
  }

  /** A Dims64's values; an invalid Dims64 (nbDims -1) gives an empty array. */
  static long[] dims(Dims64 d) {
    try (d) {
      long[] out = new long[Math.max(0, d.nbDims())];
      for (int i = 0; i < out.length; i++) {
        out[i] = d.d(i) < 0 ? -1 : d.d(i);
      }
      return out;
    }
  }

  @Override
  public void close() {
    engine.deallocate();
    runtime.deallocate();
    logger.deallocate();
  }
}
