package io.tensorgate.client;

import io.tensorgate.proto.inference.CudaSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import java.util.Map;

/**
 * The shared-memory extensions: regions the server reads inputs from and writes outputs to (see
 * {@link InferInput#sharedMemory} and {@link RequestedOutput#sharedMemory}), so tensors need not
 * travel in messages. System regions are POSIX shared-memory objects on the server's host (e.g.
 * {@code /dev/shm/<key>}); CUDA regions are {@code cudaIpcMemHandle_t} handles.
 */
public interface SharedMemoryClient {
  /**
   * Registers {@code byteSize} bytes from {@code offset} of the system shared-memory object {@code
   * key} under {@code name}.
   */
  void registerSystem(String name, String key, long byteSize, long offset);

  /** Every registered system region by name. */
  Map<String, SystemSharedMemoryStatusResponse.RegionStatus> systemStatus();

  /** The system region registered under {@code name} (NOT_FOUND when there is none). */
  Map<String, SystemSharedMemoryStatusResponse.RegionStatus> systemStatus(String name);

  /** Unregisters the system region {@code name}. */
  void unregisterSystem(String name);

  /** Unregisters every system region. */
  void unregisterAllSystem();

  /** Registers a CUDA region from the 64-byte {@code cudaIpcMemHandle_t} of device memory. */
  void registerCuda(String name, byte[] rawHandle, long deviceId, long byteSize);

  /** Every registered CUDA region by name. */
  Map<String, CudaSharedMemoryStatusResponse.RegionStatus> cudaStatus();

  /** The CUDA region registered under {@code name}. */
  Map<String, CudaSharedMemoryStatusResponse.RegionStatus> cudaStatus(String name);

  /** Unregisters the CUDA region {@code name}. */
  void unregisterCuda(String name);

  /** Unregisters every CUDA region. */
  void unregisterAllCuda();
}
