package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.attribute.FileTime;

/**
 * What a plan built from an ONNX model depends on, as text stored beside the plan: the ONNX file
 * (size, modification time), the TensorRT version, the GPU model, the build flags and everything in
 * the configuration the optimization profile comes from ({@code max_batch_size}, the inputs, the
 * {@code trt_*_shapes} parameters). A cached plan is used only while its stored key equals the key
 * computed now.
 */
final class PlanKey {
  /** Bumped when the key's content or the way plans are built changes. */
  static final int FORMAT = 1;

  /** Builder flags Tensorgate sets: none yet (FP32, TensorRT's defaults). */
  static final String BUILD_FLAGS = "none";

  private PlanKey() {}

  /**
   * @param onnxSize the ONNX file's size in bytes
   * @param onnxModified the ONNX file's modification time
   * @param tensorRtVersion as {@link TensorRt#version()} gives it
   * @param gpuModel as {@link CudaRuntime#gpuModel(int)} gives it
   */
  static String of(
      ModelDefinition definition,
      long onnxSize,
      FileTime onnxModified,
      int tensorRtVersion,
      String gpuModel) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Tensorgate builds the plan beside this file again when a line here changes\n");
    line(sb, "format", String.valueOf(FORMAT));
    line(sb, "tensorrt", TensorRtVersions.format(tensorRtVersion));
    line(sb, "gpu", gpuModel);
    line(sb, "build flags", BUILD_FLAGS);
    line(sb, "onnx bytes", String.valueOf(onnxSize));
    line(sb, "onnx modified", onnxModified.toString());
    line(sb, "max_batch_size", String.valueOf(definition.maxBatchSize()));
    for (TensorSpec t : definition.inputs()) {
      line(sb, "input " + t.name(), t.dataType() + " " + Shapes.toString(t.shape()));
    }
    for (String p :
        new String[] {
          OnnxBuildSettings.MIN_SHAPES, OnnxBuildSettings.OPT_SHAPES, OnnxBuildSettings.MAX_SHAPES
        }) {
      line(sb, p, definition.parameters().getOrDefault(p, ""));
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String name, String value) {
    sb.append(name).append(": ").append(value.replace('\n', ' ')).append('\n');
  }
}
