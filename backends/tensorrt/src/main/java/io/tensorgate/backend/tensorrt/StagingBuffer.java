package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaHostAlloc;
import static org.bytedeco.cuda.global.cudart.cudaHostAllocPortable;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One tensor's pair of buffers on one device: pinned host memory ({@code cudaHostAlloc}, so that
 * copies run asynchronously at full PCIe speed) and device memory of the same capacity. Grows as
 * {@link StagingCapacity} says and never shrinks.
 *
 * <p>Threading: owned by one instance and used by its worker thread only, with the instance's
 * device current.
 */
final class StagingBuffer implements AutoCloseable {
  private final String tensor;
  private Pointer host = new Pointer();
  private Pointer device = new Pointer();
  private ByteBuffer hostView = ByteBuffer.allocate(0);
  private long capacity;

  StagingBuffer(String tensor) {
    this.tensor = tensor;
  }

  /**
   * Makes room for {@code bytes}, reallocating both buffers when they are too small. Called with no
   * copy in flight on them (the instance synchronizes its stream at the end of every batch).
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
    release();
    Pointer newHost = new Pointer();
    Cuda.check(
        cudaHostAlloc(newHost, next, cudaHostAllocPortable),
        "cudaHostAlloc(" + next + " bytes) for tensor '" + tensor + "'");
    Pointer newDevice = new Pointer();
    int status = cudaMalloc(newDevice, next);
    if (status != 0) {
      cudaFreeHost(newHost);
      Cuda.check(status, "cudaMalloc(" + next + " bytes) for tensor '" + tensor + "'");
    }
    host = newHost;
    device = newDevice;
    capacity = next;
    hostView =
        new BytePointer(newHost).capacity(next).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A little-endian view of the pinned host memory, positioned at 0, limit {@code bytes}. */
  ByteBuffer host(int bytes) {
    return hostView.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(bytes);
  }

  Pointer hostPointer() {
    return host;
  }

  Pointer devicePointer() {
    return device;
  }

  private void release() {
    if (capacity > 0) {
      cudaFree(device);
      cudaFreeHost(host);
      capacity = 0;
      hostView = ByteBuffer.allocate(0);
    }
  }

  @Override
  public void close() {
    release();
  }
}
