package io.tensorgate.backend.tensorrt;

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
 * dynamic loader's words, its models fail to load with that reason, and every other backend keeps
 * working. It also offers CUDA IPC memory for the CUDA shared-memory RPCs and NVML GPU readings.
 *
 * <p>Threading: thread-safe, as {@link BackendProvider} requires.
 */
public final class TensorRtBackendProvider implements BackendProvider {
  private final Supplier<NativeProbe.Result> probe;
  private final CudaIpcMemory cudaMemory;
  private final NvmlGpuMonitor gpuMonitor;

  /** The provider {@link java.util.ServiceLoader} creates: this process's CUDA and TensorRT. */
  public TensorRtBackendProvider() {
    this(NativeProbe::result);
  }

  /** A provider whose view of the native libraries comes from {@code probe} (tests). */
  TensorRtBackendProvider(Supplier<NativeProbe.Result> probe) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.cudaMemory = new CudaIpcMemory(probe);
    this.gpuMonitor = new NvmlGpuMonitor(probe);
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
   * Yes when the CUDA runtime loads and sees a device and TensorRT 10 loads; otherwise no, with the
   * first missing piece's reason. The first call loads the libraries (for the whole process); later
   * calls return the same answer.
   */
  @Override
  public Availability availability() {
    NativeProbe.Result r = probe.get();
    return r.cuda().available() ? r.tensorRt() : r.cuda();
  }

  /**
   * Deserializes the engine on GPU 0 and reads its I/O tensors.
   *
   * @throws BackendException when the backend is unavailable, the file is ONNX (engines built from
   *     ONNX need their inputs and outputs configured), not an engine for this TensorRT and GPU, or
   *     a tensor cannot be served
   */
  @Override
  public ModelSignature inspect(Path modelFile) throws BackendException {
    Objects.requireNonNull(modelFile, "modelFile");
    requireAvailable();
    if (OnnxBuildSettings.isOnnx(modelFile)) {
      throw new BackendException(
          "the configuration of a TensorRT model built from ONNX ("
              + modelFile
              + ") must list its"
              + " inputs and outputs: they are not read from the ONNX model");
    }
    try (TrtEngine engine = TrtEngine.deserialize(modelFile, 0)) {
      return engine.describe().signature(modelFile);
    }
  }

  @Override
  public Model load(ModelDefinition definition) throws BackendException {
    Objects.requireNonNull(definition, "definition");
    requireAvailable();
    return TrtModel.load(definition, probe.get().deviceCount());
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

  private void requireAvailable() throws BackendException {
    Availability a = availability();
    if (!a.available()) {
      throw new BackendException(a.reason());
    }
  }
}
