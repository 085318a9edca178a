package io.tensorgate.backend.tensorrt;

/**
 * Which TensorRT versions this build works with. JavaCPP's JNI glue ({@code libjninvinfer.so}) was
 * compiled against TensorRT 10.15's headers, whose inline methods call into the library through its
 * versioned {@code apiv} interfaces: a later 10.x library keeps those (TensorRT keeps its ABI
 * within a major version and only appends), an earlier one may lack functions the glue calls.
 */
final class TensorRtVersions {
  static final int MAJOR = 10;
  static final int MIN_MINOR = 15;

  private TensorRtVersions() {}

  /** Whether a version as {@code getInferLibVersion} gives it (10.15.1 is 101501) works. */
  static boolean supported(int version) {
    return version / 10000 == MAJOR && version / 100 % 100 >= MIN_MINOR;
  }

  /** Why a version does not work, for the unavailable reason. */
  static String refusal(int version) {
    return "TensorRT "
        + format(version)
        + " was found, but this build needs TensorRT "
        + MAJOR
        + "."
        + MIN_MINOR
        + " or a later "
        + MAJOR
        + ".x (its JNI glue was compiled against 10.15)";
  }

  /** 101501 as {@code 10.15.1}. */
  static String format(int version) {
    return version / 10000 + "." + version / 100 % 100 + "." + version % 100;
  }
}
