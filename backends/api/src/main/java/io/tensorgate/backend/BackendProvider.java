package io.tensorgate.backend;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A backend, found by the server with {@link java.util.ServiceLoader}: a backend module lists its
 * implementation in {@code META-INF/services/io.tensorgate.backend.BackendProvider}.
 *
 * <p>Threading: methods are called by the server's start-up and model-load threads and may be
 * called concurrently for different models; implementations are thread-safe.
 */
public interface BackendProvider {
  /** Triton's backend name, e.g. {@code "onnxruntime"}; matches a config's {@code backend}. */
  String name();

  /** Triton platform strings served, e.g. {@code "onnxruntime_onnx"}; matches {@code platform}. */
  Set<String> platforms();

  /** The model file name inside a version folder when the config names none, e.g. model.onnx. */
  String defaultModelFilename();

  /**
   * Whether this backend can run here (its native libraries load, its devices exist). Called once
   * at start-up; an unavailable backend stays listed so that its models fail with this reason.
   */
  Availability availability();

  /**
   * Reads a model file's inputs and outputs, for auto-completing and checking its configuration.
   *
   * @throws BackendException when the file cannot be read as a model of this backend
   */
  ModelSignature inspect(Path modelFile) throws BackendException;

  /**
   * Loads a model version. The caller owns the returned model and closes it.
   *
   * @throws BackendException when it cannot be loaded; nothing stays allocated
   */
  Model load(ModelDefinition definition) throws BackendException;

  /**
   * CUDA IPC memory access, for Triton's CUDA shared-memory RPCs, when this backend's build links
   * the CUDA runtime; empty otherwise (the default). Present even when this host has no CUDA: its
   * {@link CudaSharedMemory#availability()} then says why. The server asks once at start-up.
   */
  default Optional<CudaSharedMemory> cudaSharedMemory() {
    return Optional.empty();
  }

  /**
   * GPU readings for metrics when this backend's build can take them; empty otherwise (the
   * default). The server asks once at start-up and closes it at shutdown.
   */
  default Optional<GpuMonitor> gpuMonitor() {
    return Optional.empty();
  }

  /** Whether a backend can run here, and if not, why not. */
  record Availability(boolean available, String reason) {
    public static Availability yes() {
      return new Availability(true, "");
    }

    public static Availability no(String reason) {
      return new Availability(false, reason);
    }
  }
}
