package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;

/**
 * The CUDA runtime calls the TensorRT backend makes, on the calling host thread's current device:
 * one seam, so that tests stand in for a GPU ({@link JavaCppCuda} is the real one). Streams, events
 * and memory are plain addresses. Calls that can fail throw {@link BackendException} with CUDA's
 * words; the release calls report nothing, since they run on paths that must go on.
 *
 * <p>Threading: thread-safe, as the CUDA runtime is; the current device is per host thread.
 */
interface CudaRuntime {
  /** Makes {@code device} current on the calling thread. */
  void setDevice(int device) throws BackendException;

  /**
   * The device's GPU model and compute capability, e.g. {@code NVIDIA H200 (compute 9.0)}: a plan
   * only deserializes on the GPU model it was built for.
   */
  String gpuModel(int device) throws BackendException;

  /** A stream that does not synchronize with the default stream. */
  long createStream() throws BackendException;

  /** Waits until everything queued on {@code stream} ran; throws the first error it met. */
  void synchronize(long stream) throws BackendException;

  void destroyStream(long stream);

  long createEvent() throws BackendException;

  void record(long event, long stream) throws BackendException;

  /** The GPU time between two recorded events, in milliseconds. */
  float elapsedMillis(long start, long end) throws BackendException;

  void destroyEvent(long event);

  /** Pinned host memory, usable from every device ({@code cudaHostAllocPortable}). */
  long allocateHost(long bytes) throws BackendException;

  void freeHost(long address);

  long allocateDevice(long bytes) throws BackendException;

  void freeDevice(long address);

  /** Queues a copy of {@code bytes} from pinned host memory to device memory on {@code stream}. */
  void copyToDevice(long device, long host, long bytes, long stream) throws BackendException;

  /** Queues a copy of {@code bytes} from device memory to pinned host memory on {@code stream}. */
  void copyToHost(long host, long device, long bytes, long stream) throws BackendException;

  /** The {@code bytes} of host memory at {@code address} as a buffer, position 0. */
  ByteBuffer hostBuffer(long address, long bytes);
}
