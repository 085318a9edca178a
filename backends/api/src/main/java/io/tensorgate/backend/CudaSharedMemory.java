package io.tensorgate.backend;

import io.tensorgate.backend.BackendProvider.Availability;

/**
 * Opens CUDA IPC memory handles that clients send with Triton's {@code CudaSharedMemoryRegister}
 * RPC, so that the server can hold (and later read and write) device memory another process
 * allocated. Offered by a backend that links the CUDA runtime, see {@link
 * BackendProvider#cudaSharedMemory()}.
 *
 * <p>Threading: thread-safe; the server calls it from its blocking executor, never from transport
 * threads, since opening a handle may take milliseconds.
 */
public interface CudaSharedMemory {
  /** The size of a serialized {@code cudaIpcMemHandle_t}, CUDA's {@code CUDA_IPC_HANDLE_SIZE}. */
  int IPC_HANDLE_BYTES = 64;

  /**
   * Whether the CUDA runtime and at least one device are usable on this host; when not, why (for
   * example the loader's message for a missing {@code libcudart}). Answers the same every call.
   */
  Availability availability();

  /** The number of CUDA devices visible to this process, 0 when CUDA is not available. */
  int deviceCount();

  /**
   * Opens a region from a serialized IPC handle on a device. The caller has already checked the
   * arguments' form (handle length, device id not negative, byte size positive).
   *
   * @param rawHandle the {@value #IPC_HANDLE_BYTES} bytes of a {@code cudaIpcMemHandle_t}
   * @param deviceId the CUDA device the memory lives on
   * @param byteSize the bytes of the region the client will use, from its start
   * @return the open region, owned by the caller, who closes it
   * @throws BackendException when CUDA refuses the handle or the device, with CUDA's reason
   */
  Region open(byte[] rawHandle, int deviceId, long byteSize) throws BackendException;

  /** A region of device memory opened from an IPC handle. */
  interface Region extends AutoCloseable {
    /** The device the memory lives on. */
    int deviceId();

    /** The usable size in bytes, as registered. */
    long byteSize();

    /** The device address of the region's first byte, valid until {@link #close()}. */
    long devicePointer();

    /** Closes the IPC mapping ({@code cudaIpcCloseMemHandle}); later calls do nothing. */
    @Override
    void close();
  }
}
