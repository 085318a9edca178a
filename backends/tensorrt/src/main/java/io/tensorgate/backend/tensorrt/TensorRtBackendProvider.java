package io.tensorgate.backend.tensorrt;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.GpuMonitor;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Triton's {@code tensorrt} backend ({@code tensorrt_plan} platform, {@code model.plan} files):
 * TensorRT 10 engines on NVIDIA GPUs through JavaCPP's presets. Found by {@link
 * java.util.ServiceLoader}.
 *
 * <p>The CUDA runtime, TensorRT and the NVIDIA driver come from the host (the build carries only
 * JavaCPP's JNI glue). When they are missing the backend reports itself unavailable with the
 * dynamic loader's words and every library missing, its models fail to load with that reason, and
 * every other backend keeps working. It also offers CUDA IPC memory for the CUDA shared-memory RPCs
 * and NVML GPU readings.
 *
 * <p>Threading: thread-safe, as {@link BackendProvider} requires.
 */
public final class TensorRtBackendProvider implements BackendProvider {
  /** System property naming where plans built from ONNX models in read-only folders go. */
  static final String PLAN_CACHE_PROPERTY = "tensorgate.tensorrt.planCache";

  private final Supplier<NativeProbe.Result> probe;
  private final Supplier<TrtNatives> natives;
  private final Path planCache;
  private final CudaIpcMemory cudaMemory;
  private final NvmlGpuMonitor gpuMonitor;
  private final Object lock = new Object();

  // Made on the first load or inspect.
  @GuardedBy("lock")
  private TrtBackend backend;

  /** The provider {@link java.util.ServiceLoader} creates: this process's CUDA and TensorRT. */
  public TensorRtBackendProvider() {
    this(NativeProbe::result, NativeProbe::natives, defaultPlanCache());
  }

  /**
   * A provider whose view of the native libraries comes from {@code probe} and whose CUDA and
   * TensorRT are {@code natives}, asked once the probe says they are available (tests).
   */
  TensorRtBackendProvider(
      Supplier<NativeProbe.Result> probe, Supplier<TrtNatives> natives, Path planCache) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.natives = Objects.requireNonNull(natives, "natives");
    this.planCache = Objects.requireNonNull(planCache, "planCache");
    this.cudaMemory = new CudaIpcMemory(probe);
    this.gpuMonitor = new NvmlGpuMonitor(probe);
  }

  private static Path defaultPlanCache() {
    String configured = System.getProperty(PLAN_CACHE_PROPERTY);
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "tensorgate", "tensorrt-plans");
  }

  @Override
  public String name() {
    return "tensorrt";
  }

  @Override
  public Set<String> platforms() {
    return Set.of("tensorrt_plan");
  }

  @Override
  public String defaultModelFilename() {
    return "model.plan";
  }

  /**
   * Yes when the CUDA runtime loads and sees a device and TensorRT 10.15 or a later 10.x loads;
   * otherwise no, with the first failure's words and every library missing. The first call loads
   * the libraries (for the whole process); later calls return the same answer.
   */
  @Override
  public Availability availability() {
    NativeProbe.Result r = probe.get();
    return r.cuda().available() ? r.tensorRt() : r.cuda();
  }

  /**
   * Reads the engine's I/O tensors on GPU 0. The engine stays for the load that usually follows
   * (see {@link EngineCache#inspect}), so it is not deserialized twice.
   *
   * @throws BackendException when the backend is unavailable, the file is ONNX (engines built from
   *     ONNX need their inputs and outputs configured), not an engine for this TensorRT and GPU, or
   *     a tensor cannot be served
   */
  @Override
  public ModelSignature inspect(Path modelFile) throws BackendException {
    Objects.requireNonNull(modelFile, "modelFile");
    TrtBackend b = backend();
    if (OnnxBuildSettings.isOnnx(modelFile)) {
      throw new BackendException(
          "the configuration of a TensorRT model built from ONNX ("
              + modelFile.getFileName()
              + ") must list its inputs and outputs: they are not read from the ONNX model");
    }
    return b.engines().inspect(modelFile).signature(modelFile.getFileName());
  }

  @Override
  public Model load(ModelDefinition definition) throws BackendException {
    Objects.requireNonNull(definition, "definition");
    return TrtModel.load(definition, backend());
  }

  /** Present in this build; its availability needs only the CUDA runtime, not TensorRT. */
  @Override
  public Optional<CudaSharedMemory> cudaSharedMemory() {
    return Optional.of(cudaMemory);
  }

  /** Present in this build, the same monitor on every call; NVML loads on its first use. */
  @Override
  public Optional<GpuMonitor> gpuMonitor() {
    return Optional.of(gpuMonitor);
  }

  /** The models' shared parts, made once the backend is known to be available. */
  private TrtBackend backend() throws BackendException {
    Availability a = availability();
    if (!a.available()) {
      throw new BackendException(a.reason());
    }
    synchronized (lock) {
      if (backend == null) {
        TrtNatives n = natives.get();
        backend =
            new TrtBackend(
                n.cuda(),
                n.tensorRt(),
                new EngineCache(n.cuda(), n.tensorRt()),
                new OnnxPlans(n.cuda(), n.tensorRt(), planCache),
                probe.get().deviceCount());
      }
      return backend;
    }
  }
}
