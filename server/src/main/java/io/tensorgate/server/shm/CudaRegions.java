package io.tensorgate.server.shm;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * CUDA shared-memory regions registered by clients (Triton's cuda_shared_memory extension): device
 * memory another process exported with {@code cudaIpcGetMemHandle}, opened here through a backend
 * that links CUDA. Region names share one namespace with the system shared-memory regions of the
 * owning {@link SharedMemoryRegistry}, as in Triton.
 *
 * <p>Every argument is checked before CUDA is called. Without CUDA support in the build,
 * registration answers UNIMPLEMENTED; with it but without CUDA on this host, UNAVAILABLE with the
 * reason. Status and unregistration need no CUDA: as in Triton, they answer from the (then empty)
 * set of regions, so clients that clean up all CUDA regions work on any host.
 *
 * <p>Inference inputs and outputs that name a CUDA region are refused with UNIMPLEMENTED: backends
 * take host buffers only so far. Thread-safe: state changes under the registry's lock.
 */
public final class CudaRegions {
  /** One registered region and the open device mapping behind it. */
  public record Region(String name, int deviceId, long byteSize, CudaSharedMemory.Region memory) {}

  private final Optional<CudaSharedMemory> cuda;
  private final Object lock;
  private final Predicate<String> systemNames;
  // Changed under lock; read without it by contains(), on the inference error path.
  private final Map<String, Region> regions = new ConcurrentHashMap<>();

  /**
   * @param cuda CUDA IPC access, empty when no backend in this build links CUDA
   * @param lock the owning registry's lock, shared so that names stay unique across both kinds
   * @param systemNames whether a system region of that name is registered (called under lock)
   */
  CudaRegions(Optional<CudaSharedMemory> cuda, Object lock, Predicate<String> systemNames) {
    this.cuda = cuda;
    this.lock = lock;
    this.systemNames = systemNames;
  }

  /**
   * Whether the CUDA shared-memory RPCs work here: a backend links CUDA and this host has it. The
   * server lists {@code cuda_shared_memory} among its extensions only then.
   */
  public boolean available() {
    return cuda.isPresent() && cuda.get().availability().available();
  }

  /**
   * Opens and registers a region.
   *
   * @throws InferenceException INVALID_ARGUMENT for a bad argument, ALREADY_EXISTS for a taken
   *     name, RESOURCE_EXHAUSTED past {@link SharedMemoryRegistry#MAX_REGIONS}, UNIMPLEMENTED or
   *     UNAVAILABLE without CUDA, INVALID_ARGUMENT when CUDA refuses the handle
   */
  public void register(String name, byte[] rawHandle, long deviceId, long byteSize)
      throws InferenceException {
    if (name.isEmpty()) {
      throw invalid("failed to register CUDA shared memory region: a region name is required");
    }
    if (rawHandle.length != CudaSharedMemory.IPC_HANDLE_BYTES) {
      throw invalid(
          "failed to register CUDA shared memory region '"
              + name
              + "': raw_handle must be a serialized cudaIpcMemHandle_t of "
              + CudaSharedMemory.IPC_HANDLE_BYTES
              + " bytes, got "
              + rawHandle.length);
    }
    if (deviceId < 0 || deviceId > Integer.MAX_VALUE) {
      throw invalid(
          "failed to register CUDA shared memory region '"
              + name
              + "': invalid device_id "
              + deviceId);
    }
    // uint64 on the wire: a negative long is a value above 2^63.
    if (byteSize <= 0) {
      throw invalid(
          "failed to register CUDA shared memory region '"
              + name
              + "': byte_size must be between 1 and 2^63 - 1, got "
              + Long.toUnsignedString(byteSize));
    }
    synchronized (lock) {
      if (regions.containsKey(name) || systemNames.test(name)) {
        throw new InferenceException(
            ErrorCode.ALREADY_EXISTS, "shared memory region '" + name + "' already in manager");
      }
      if (regions.size() >= SharedMemoryRegistry.MAX_REGIONS) {
        throw new InferenceException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "failed to register CUDA shared memory region '"
                + name
                + "': at most "
                + SharedMemoryRegistry.MAX_REGIONS
                + " regions may be registered");
      }
      CudaSharedMemory memory =
          requireCuda("failed to register CUDA shared memory region '" + name + "'");
      if (deviceId >= memory.deviceCount()) {
        throw invalid(
            "failed to register CUDA shared memory region '"
                + name
                + "': device_id "
                + deviceId
                + " is not a CUDA device of this host, which has "
                + memory.deviceCount());
      }
      CudaSharedMemory.Region opened;
      try {
        // Under the lock, so that a name is never opened twice; registration is rare.
        opened = memory.open(rawHandle, (int) deviceId, byteSize);
      } catch (BackendException e) {
        throw invalid(
            "failed to register CUDA shared memory region '" + name + "': " + e.getMessage());
      }
      regions.put(name, new Region(name, (int) deviceId, byteSize, opened));
    }
  }

  /**
   * Closes and removes a region, or every CUDA region when {@code name} is empty. Unknown names are
   * not an error, as in Triton; without CUDA there is nothing to close.
   */
  public void unregister(String name) {
    closeRegions(name);
  }

  /**
   * The registered regions, or the one named, by name; none without CUDA.
   *
   * @throws InferenceException NOT_FOUND for an unknown name (naming a system region when it is
   *     one)
   */
  public Map<String, Region> status(String name) throws InferenceException {
    synchronized (lock) {
      if (name.isEmpty()) {
        return new TreeMap<>(regions);
      }
      Region r = regions.get(name);
      if (r != null) {
        return Map.of(name, r);
      }
      if (systemNames.test(name)) {
        throw new InferenceException(
            ErrorCode.NOT_FOUND,
            "The region named '"
                + name
                + "' is registered as system shared memory, not CUDA shared memory");
      }
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to find cuda shared memory region: '" + name + "'");
    }
  }

  /** Closes every region; the server calls this at shutdown. */
  public void closeAll() {
    closeRegions("");
  }

  /** Whether a CUDA region of this name is registered. */
  boolean contains(String name) {
    return regions.containsKey(name);
  }

  /** The error for an inference tensor that names a CUDA region. */
  static InferenceException inferenceUnsupported(String name) {
    return new InferenceException(
        ErrorCode.UNIMPLEMENTED,
        "shared memory region '"
            + name
            + "' is CUDA shared memory, which inference inputs and outputs cannot use in this"
            + " server yet; use system shared memory or send the tensor in the request");
  }

  private void closeRegions(String name) {
    Region[] closing;
    synchronized (lock) {
      if (name.isEmpty()) {
        closing = regions.values().toArray(new Region[0]);
        regions.clear();
      } else {
        Region r = regions.remove(name);
        closing = r == null ? new Region[0] : new Region[] {r};
      }
    }
    for (Region r : closing) {
      r.memory().close();
    }
  }

  private CudaSharedMemory requireCuda(String what) throws InferenceException {
    if (cuda.isEmpty()) {
      throw new InferenceException(
          ErrorCode.UNIMPLEMENTED,
          what
              + ": this server was built without a CUDA backend, so CUDA shared memory is not"
              + " supported");
    }
    Availability a = cuda.get().availability();
    if (!a.available()) {
      throw new InferenceException(
          ErrorCode.UNAVAILABLE, what + ": CUDA is not available on this host: " + a.reason());
    }
    return cuda.get();
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
