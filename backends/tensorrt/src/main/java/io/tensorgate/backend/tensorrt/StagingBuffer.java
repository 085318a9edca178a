package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor's pair of buffers on one device: pinned host memory (so that copies run asynchronously
 * at full PCIe speed) and device memory of the same capacity. Allocated when the instance is
 * created, for the largest shape its profiles allow, and never empty, so that even a zero-byte
 * tensor has an address; grows as {@link StagingCapacity} says only if a batch still needs more,
 * and never shrinks.
 *
 * <p>Threading: owned by one instance and used by its worker thread only, with the instance's
 * device current.
 */
final class StagingBuffer {
  private final CudaRuntime cuda;
  private final String tensor;
  private long host;
  private long device;
  private long capacity;
  private ByteBuffer hostView;

  private StagingBuffer(CudaRuntime cuda, String tensor) {
    this.cuda = cuda;
    this.tensor = tensor;
  }

  /** Buffers holding at least {@code bytes} (at least {@link StagingCapacity#MIN_BYTES}). */
  static StagingBuffer allocate(CudaRuntime cuda, String tensor, long bytes)
      throws BackendException {
    StagingBuffer b = new StagingBuffer(cuda, tensor);
    b.ensure(Math.max(1, bytes));
    return b;
  }

  /**
   * Makes room for {@code bytes}. A reallocation frees the old buffers, which waits for the device
   * (cudaFree synchronizes), so copies queued on them finish first.
   */
  void ensure(long bytes) throws BackendException {
    long next = StagingCapacity.next(capacity, bytes);
    if (next == capacity) {
      return;
    }
    if (next > Integer.MAX_VALUE) {
      throw new BackendException(
          "tensor '" + tensor + "' needs " + bytes + " bytes; at most 2 GiB - 1 are staged");
    }
    long newHost = 0;
    long newDevice;
    try {
      newHost = cuda.allocateHost(next);
      newDevice = cuda.allocateDevice(next);
    } catch (BackendException e) {
      if (newHost != 0) {
        cuda.freeHost(newHost);
      }
      throw new BackendException("tensor '" + tensor + "': " + e.getMessage(), e);
    }
    release();
    host = newHost;
    device = newDevice;
    capacity = next;
    hostView = cuda.hostBuffer(newHost, next).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A little-endian view of the pinned host memory, positioned at 0, limit {@code bytes}. */
  ByteBuffer host(int bytes) {
    return hostView.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(bytes);
  }

  long hostAddress() {
    return host;
  }

  long deviceAddress() {
    return device;
  }

  long capacity() {
    return capacity;
  }

  /** Frees both buffers; later calls do nothing. */
  void release() {
    if (capacity > 0) {
      cuda.freeDevice(device);
      cuda.freeHost(host);
      capacity = 0;
      host = 0;
      device = 0;
    }
  }
}
