package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;

import io.tensorgate.backend.BackendProvider.Availability;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvinfer_plugin;

/**
 * Whether the host's CUDA runtime and TensorRT libraries load through JavaCPP, how many devices
 * CUDA sees, and the process's one TensorRT logger.
 *
 * <p>The outcome is held in a static holder on purpose: the JVM loads a native library (and runs a
 * class initializer) once per process, and after a failed load JavaCPP's classes only answer "Could
 * not initialize class", so the first, precise answer is the one to keep and repeat. The logger is
 * process-wide for the same reason from TensorRT's side: TensorRT keeps the first logger it is
 * given for its standalone functions and uses each runtime's and builder's logger until they are
 * gone, so the logger is created once, when TensorRT loads, and never released.
 */
final class NativeProbe {
  private static final System.Logger LOG = System.getLogger(NativeProbe.class.getName());

  /** What the CUDA runtime's JNI glue links: the driver and the runtime. */
  static final List<String> CUDA_LIBRARIES = List.of("libcuda.so.1", "libcudart.so.13");

  /**
   * What {@code Loader.load(nvinfer.class)} needs besides CUDA: TensorRT, and the cuBLAS, NVRTC and
   * cuDNN libraries of the presets JavaCPP's TensorRT preset inherits, whose classes it initializes
   * (TensorRT 10 itself does not need them). The preset gives no way to skip them.
   */
  static final List<String> TENSORRT_LIBRARIES =
      List.of(
          "libnvinfer.so.10",
          "libcublas.so.13",
          "libcublasLt.so.13",
          "libnvrtc.so.13",
          "libcudnn_graph.so.9",
          "libcudnn_ops.so.9",
          "libcudnn_cnn.so.9",
          "libcudnn_adv.so.9");

  /**
   * @param cuda whether the CUDA runtime loaded and sees a device
   * @param tensorRt whether TensorRT loaded too (never yes when {@code cuda} is no)
   * @param deviceCount CUDA devices visible, 0 when {@code cuda} is no
   */
  record Result(Availability cuda, Availability tensorRt, int deviceCount) {}

  private record Probed(Result result, TrtLogger logger) {}

  private NativeProbe() {}

  private static final class Holder {
    static final Probed PROBED = probe(LibraryCheck.ofThisHost());
  }

  /** The process's answer, probed on the first call. Never throws. */
  static Result result() {
    return Holder.PROBED.result();
  }

  /**
   * The real CUDA and TensorRT bindings, with the process's TensorRT logger.
   *
   * @throws IllegalStateException when TensorRT is not available here
   */
  static TrtNatives natives() {
    return new TrtNatives(new JavaCppCuda(), new JavaCppTensorRt(logger()));
  }

  /**
   * The process's TensorRT logger, for every runtime, builder and parser.
   *
   * @throws IllegalStateException when TensorRT is not available here
   */
  static TrtLogger logger() {
    TrtLogger logger = Holder.PROBED.logger();
    if (logger == null) {
      throw new IllegalStateException(
          "TensorRT is not available: " + Holder.PROBED.result().tensorRt().reason());
    }
    return logger;
  }

  private static Probed probe(LibraryCheck libraries) {
    try {
      Loader.load(cudart.class);
    } catch (LinkageError | RuntimeException e) {
      List<String> all = new ArrayList<>(CUDA_LIBRARIES);
      all.addAll(TENSORRT_LIBRARIES);
      Availability no =
          Availability.no(LoadFailures.unavailable("the CUDA runtime", e, libraries.missing(all)));
      return new Probed(new Result(no, no, 0), null);
    }
    int[] count = new int[1];
    int status = cudaGetDeviceCount(count);
    if (status != 0 || count[0] == 0) {
      Availability no =
          Availability.no(
              status != 0
                  ? "CUDA found no usable device: " + Cuda.errorString(status)
                  : "CUDA sees no device (cudaGetDeviceCount returned 0)");
      return new Probed(new Result(no, no, 0), null);
    }
    Availability cuda = Availability.yes();
    try {
      Loader.load(nvinfer.class);
      int version = nvinfer.getInferLibVersion();
      if (!TensorRtVersions.supported(version)) {
        return new Probed(
            new Result(cuda, Availability.no(TensorRtVersions.refusal(version)), count[0]), null);
      }
      TrtLogger logger = new TrtLogger();
      initPlugins(logger, libraries);
      return new Probed(new Result(cuda, Availability.yes(), count[0]), logger);
    } catch (LinkageError | RuntimeException e) {
      Availability no =
          Availability.no(
              LoadFailures.unavailable("TensorRT", e, libraries.missing(TENSORRT_LIBRARIES)));
      return new Probed(new Result(cuda, no, count[0]), null);
    }
  }

  /**
   * Registers TensorRT's standard plugins (EfficientNMS_TRT, ...) so that engines using them
   * deserialize; without {@code libnvinfer_plugin.so.10} only those engines fail.
   */
  private static void initPlugins(TrtLogger logger, LibraryCheck libraries) {
    try {
      Loader.load(nvinfer_plugin.class);
      if (!nvinfer_plugin.initLibNvInferPlugins(logger, "")) {
        LOG.log(Level.WARNING, "TensorRT's standard plugins did not register (see its log)");
      }
    } catch (LinkageError | RuntimeException e) {
      LOG.log(
          Level.WARNING,
          LoadFailures.unavailable(
                  "TensorRT's standard plugins",
                  e,
                  libraries.missing(List.of("libnvinfer_plugin.so.10")))
              + "; engines that use them (EfficientNMS_TRT, ...) will not load");
    }
  }
}
