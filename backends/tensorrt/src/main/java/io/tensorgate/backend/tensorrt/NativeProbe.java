package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;

import io.tensorgate.backend.BackendProvider.Availability;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;

/**
 * Whether the host's CUDA runtime and TensorRT libraries load through JavaCPP, and how many devices
 * CUDA sees.
 *
 * <p>The outcome is held in a static holder on purpose: the JVM loads a native library (and runs a
 * class initializer) once per process, and after a failed load JavaCPP's classes only answer "Could
 * not initialize class", so the first, precise answer is the one to keep and repeat.
 */
final class NativeProbe {
  /** The TensorRT major version these bindings were generated for. */
  static final int TENSORRT_MAJOR = 10;

  /**
   * @param cuda whether the CUDA runtime loaded and sees a device
   * @param tensorRt whether TensorRT loaded too (never yes when {@code cuda} is no)
   * @param deviceCount CUDA devices visible, 0 when {@code cuda} is no
   */
  record Result(Availability cuda, Availability tensorRt, int deviceCount) {}

  private NativeProbe() {}

  private static final class Holder {
    static final Result RESULT = probe();
  }

  /** The process's answer, probed on the first call. Never throws. */
  static Result result() {
    return Holder.RESULT;
  }

  private static Result probe() {
    try {
      Loader.load(cudart.class);
    } catch (LinkageError | RuntimeException e) {
      Availability no =
          Availability.no("the CUDA runtime did not load: " + LoadFailures.describe(e));
      return new Result(no, no, 0);
    }
    int[] count = new int[1];
    int status = cudaGetDeviceCount(count);
    if (status != 0 || count[0] == 0) {
      Availability no =
          Availability.no(
              status != 0
                  ? "CUDA found no usable device: " + Cuda.errorString(status)
                  : "CUDA sees no device (cudaGetDeviceCount returned 0)");
      return new Result(no, no, 0);
    }
    Availability cuda = Availability.yes();
    try {
      Loader.load(nvinfer.class);
      int version = nvinfer.getInferLibVersion();
      if (version / 10000 != TENSORRT_MAJOR) {
        return new Result(
            cuda,
            Availability.no(
                "TensorRT "
                    + version / 10000
                    + "."
                    + version / 100 % 100
                    + "."
                    + version % 100
                    + " was found, but this build needs TensorRT "
                    + TENSORRT_MAJOR),
            count[0]);
      }
      return new Result(cuda, Availability.yes(), count[0]);
    } catch (LinkageError | RuntimeException e) {
      return new Result(
          cuda, Availability.no("TensorRT did not load: " + LoadFailures.describe(e)), count[0]);
    }
  }
}
