package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaIpcCloseMemHandle;
import static org.bytedeco.cuda.global.cudart.cudaIpcMemLazyEnablePeerAccess;
import static org.bytedeco.cuda.global.cudart.cudaIpcOpenMemHandle;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider.Availability;
import io.tensorgate.backend.CudaSharedMemory;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bytedeco.cuda.cudart.cudaIpcMemHandle_t;
import org.bytedeco.javacpp.Pointer;

/**
 * CUDA IPC through the CUDA runtime: {@code cudaIpcOpenMemHandle} with lazy peer access, as
 * Triton's shared-memory manager does. Needs only the CUDA runtime, not TensorRT.
 *
 * <p>Unlike Triton, the region's size is not checked against the allocation behind the handle
 * (Triton asks the driver API's {@code cuMemGetAddressRange}); the server does not yet read or
 * write CUDA regions, so a wrong size cannot make it touch memory outside the allocation.
 */
final class CudaIpcMemory implements CudaSharedMemory {
  private final Supplier<NativeProbe.Result> probe;

  CudaIpcMemory(Supplier<NativeProbe.Result> probe) {
    this.probe = Objects.requireNonNull(probe, "probe");
  }

  @Override
  public Availability availability() {
    return probe.get().cuda();
  }

  @Override
  public int deviceCount() {
    return probe.get().deviceCount();
  }

  @Override
  public Region open(byte[] rawHandle, int deviceId, long byteSize) throws BackendException {
    Availability cuda = availability();
    if (!cuda.available()) {
      throw new BackendException(cuda.reason());
    }
    if (rawHandle.length != IPC_HANDLE_BYTES) {
      throw new IllegalArgumentException("raw handle of " + rawHandle.length + " bytes");
    }
    Cuda.setDevice(deviceId);
    Pointer address = new Pointer();
    try (cudaIpcMemHandle_t handle = new cudaIpcMemHandle_t()) {
      handle.reserved().put(rawHandle, 0, IPC_HANDLE_BYTES);
      Cuda.check(
          cudaIpcOpenMemHandle(address, handle, cudaIpcMemLazyEnablePeerAccess),
          "cudaIpcOpenMemHandle on GPU " + deviceId);
    }
    return new IpcRegion(deviceId, byteSize, address);
  }

  private static final class IpcRegion implements Region {
    private final int deviceId;
    private final long byteSize;
    private final Pointer address;
    private final AtomicBoolean closed = new AtomicBoolean();

    IpcRegion(int deviceId, long byteSize, Pointer address) {
      this.deviceId = deviceId;
      this.byteSize = byteSize;
      this.address = address;
    }

    @Override
    public int deviceId() {
      return deviceId;
    }

    @Override
    public long byteSize() {
      return byteSize;
    }

    @Override
    public long devicePointer() {
      return address.address();
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        try {
          Cuda.setDevice(deviceId);
        } catch (BackendException e) {
          // The close below then reports nothing useful either; the mapping dies with the process.
        }
        cudaIpcCloseMemHandle(address);
      }
    }
  }
}
