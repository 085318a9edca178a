package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;

import io.tensorgate.backend.BackendException;
import org.bytedeco.javacpp.BytePointer;

/**
 * Checked calls into the CUDA runtime. Only called once {@link NativeProbe} found the runtime
 * loadable; the current device is per host thread, so callers set it on the thread that works.
 */
final class Cuda {
  private Cuda() {}

  /**
   * @throws BackendException when {@code status} is not {@code cudaSuccess}, with CUDA's words
   */
  static void check(int status, String what) throws BackendException {
    if (status != 0) {
      throw new BackendException(what + " failed: " + errorString(status));
    }
  }

  /** CUDA's description of an error code, with the code. */
  static String errorString(int status) {
    BytePointer text = cudaGetErrorString(status);
    return (text == null ? "unknown CUDA error" : text.getString()) + " (cudaError " + status + ")";
  }

  static int deviceCount() throws BackendException {
    int[] count = new int[1];
    check(cudaGetDeviceCount(count), "cudaGetDeviceCount");
    return count[0];
  }

  /** Makes {@code device} current on the calling thread. */
  static void setDevice(int device) throws BackendException {
    check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
  }
}
