package io.tensorgate.backend.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.tensorgate.backend.BackendException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.global.nvinfer.TensorLocation;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

/**
 * {@link TensorRt} through JavaCPP's TensorRT 10 bindings, with the process's one logger. Objects
 * are released with {@link CppDelete}, since the bindings' {@code deallocate()} does nothing for
 * them. Only used once {@link NativeProbe} found TensorRT loadable.
 */
final class JavaCppTensorRt implements TensorRt {
  private final ILogger logger;

  /**
   * @param logger the process's TensorRT logger: TensorRT uses it until the process ends, so it is
   *     never released
   */
  JavaCppTensorRt(ILogger logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  @Override
  public int version() {
    return nvinfer.getInferLibVersion();
  }

  @Override
  public Runtime createRuntime() throws BackendException {
    IRuntime runtime = createInferRuntime(logger);
    if (runtime == null || runtime.isNull()) {
      throw new BackendException("TensorRT could not create a runtime (createInferRuntime)");
    }
    return new NativeRuntime(runtime);
  }

  @Override
  public byte[] buildFromOnnx(Path onnx, ProfileChoice profile) throws BackendException {
    return JavaCppOnnxBuild.build(logger, onnx, profile);
  }

  private static final class NativeRuntime implements Runtime {
    private final IRuntime runtime;

    NativeRuntime(IRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public Engine deserialize(byte[] plan) {
      ICudaEngine engine;
      try (BytePointer bytes = new BytePointer(plan)) {
        engine = runtime.deserializeCudaEngine(bytes, plan.length);
      }
      return engine == null || engine.isNull() ? null : new NativeEngine(engine);
    }

    @Override
    public void release() {
      CppDelete.delete(runtime.address(), CppDelete.NO_COPY);
    }
  }

  private static final class NativeEngine implements Engine {
    private final ICudaEngine engine;

    NativeEngine(ICudaEngine engine) {
      this.engine = engine;
    }

    @Override
    public EngineDescription describe() {
      List<EngineTensor> tensors = new ArrayList<>();
      int profileCount = engine.getNbOptimizationProfiles();
      int n = engine.getNbIOTensors();
      for (int i = 0; i < n; i++) {
        String name = engine.getIOTensorName(i);
        tensors.add(
            new EngineTensor(
                name,
                engine.getTensorIOMode(name).value == TensorIOMode.kINPUT.value,
                engine.getTensorDataType(name).value,
                dims(engine.getTensorShape(name)),
                linearInEveryProfile(name, profileCount),
                engine.getTensorLocation(name).value == TensorLocation.kDEVICE.value));
      }
      List<OptimizationProfile> profiles = new ArrayList<>();
      for (int p = 0; p < profileCount; p++) {
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

    /** A tensor's format may differ per profile; serving needs kLINEAR in all of them. */
    private boolean linearInEveryProfile(String name, int profileCount) {
      for (int p = 0; p < Math.max(1, profileCount); p++) {
        if (engine.getTensorFormat(name, p).value != TensorFormat.kLINEAR.value) {
          return false;
        }
      }
      return true;
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

    @Override
    public Context createContext() {
      IExecutionContext context = engine.createExecutionContext();
      if (context == null || context.isNull()) {
        return null;
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < engine.getNbIOTensors(); i++) {
        names.add(engine.getIOTensorName(i));
      }
      return new NativeContext(context, names);
    }

    @Override
    public void release() {
      CppDelete.delete(engine.address(), CppDelete.NO_COPY);
    }
  }

  /** Reuses its tensors' C names and shapes, so that a batch allocates no native memory. */
  private static final class NativeContext implements Context {
    private final IExecutionContext context;
    private final BytePointer[] names;
    private final Dims64[] shapes;
    private final NativeAddress address = new NativeAddress(0);
    private CUstream_st stream;

    NativeContext(IExecutionContext context, List<String> names) {
      this.context = context;
      this.names = names.stream().map(BytePointer::new).toArray(BytePointer[]::new);
      this.shapes = new Dims64[names.size()];
      for (int i = 0; i < shapes.length; i++) {
        shapes[i] = new Dims64();
      }
    }

    @Override
    public boolean setProfile(int profile, long stream) {
      return context.setOptimizationProfileAsync(profile, stream(stream));
    }

    @Override
    public boolean setInputShape(int tensor, long[] shape) {
      Dims64 d = shapes[tensor];
      d.nbDims(shape.length);
      for (int i = 0; i < shape.length; i++) {
        d.d(i, shape[i]);
      }
      return context.setInputShape(names[tensor], d);
    }

    @Override
    public long[] shape(int tensor) {
      return dims(context.getTensorShape(names[tensor]));
    }

    @Override
    public boolean setAddress(int tensor, long address) {
      return context.setTensorAddress(names[tensor], this.address.at(address));
    }

    @Override
    public boolean enqueue(long stream) {
      return context.enqueueV3(stream(stream));
    }

    /** The instance passes the same stream every time: wrap it once. */
    private CUstream_st stream(long address) {
      if (stream == null || stream.address() != address) {
        stream = new CUstream_st(new NativeAddress(address));
      }
      return stream;
    }

    @Override
    public void release() {
      CppDelete.delete(context.address(), CppDelete.NO_COPY);
      for (BytePointer n : names) {
        n.close();
      }
      for (Dims64 d : shapes) {
        d.close();
      }
    }
  }

  /** A Dims64's values, released at once; an invalid Dims64 (nbDims -1) gives an empty array. */
  static long[] dims(Dims64 d) {
    try (d) {
      long[] out = new long[Math.max(0, d.nbDims())];
      for (int i = 0; i < out.length; i++) {
        out[i] = d.d(i) < 0 ? -1 : d.d(i);
      }
      return out;
    }
  }
}
