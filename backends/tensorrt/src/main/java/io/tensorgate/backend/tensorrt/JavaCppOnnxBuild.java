package io.tensorgate.backend.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.tensorgate.backend.BackendException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvonnxparser.IParser;

/**
 * An engine built from an ONNX model with TensorRT's ONNX parser and builder. The builder, network,
 * parser, configuration and serialized plan are each deleted once, newest first (the parser before
 * the network it fills), whatever happens; the optimization profile belongs to the builder.
 */
final class JavaCppOnnxBuild {
  private JavaCppOnnxBuild() {}

  static byte[] build(ILogger logger, Path onnx, TensorRt.ProfileChoice choice)
      throws BackendException {
    try {
      Loader.load(nvonnxparser.class);
    } catch (LinkageError | RuntimeException e) {
      throw new BackendException(
          "building an engine from "
              + onnx.getFileName()
              + " needs TensorRT's ONNX parser (libnvonnxparser.so.10, libnvinfer_plugin.so.10),"
              + " which did not load: "
              + LoadFailures.describe(e));
    }
    try (ReleaseStack owned = new ReleaseStack()) {
      IBuilder builder = own(owned, "builder", createInferBuilder(logger), CppDelete.NO_COPY);
      if (builder == null) {
        throw new BackendException("TensorRT could not create a builder (createInferBuilder)");
      }
      INetworkDefinition network =
          own(owned, "network", builder.createNetworkV2(0), CppDelete.NO_COPY);
      IParser parser =
          network == null
              ? null
              : own(owned, "ONNX parser", createParser(network, logger), CppDelete.ONNX_PARSER);
      if (parser == null) {
        throw new BackendException("TensorRT could not create a network and ONNX parser");
      }
      if (!parser.parseFromFile(onnx.toString(), ILogger.Severity.kWARNING.value)) {
        StringBuilder errors = new StringBuilder();
        for (int i = 0; i < Math.min(parser.getNbErrors(), 5); i++) {
          errors.append(i == 0 ? "" : "; ").append(parser.getError(i).desc());
        }
        throw new BackendException(
            "TensorRT's ONNX parser refused " + onnx.getFileName() + ": " + errors);
      }
      Map<String, long[]> inputs = new LinkedHashMap<>();
      for (int i = 0; i < network.getNbInputs(); i++) {
        ITensor t = network.getInput(i);
        inputs.put(t.getName(), JavaCppTensorRt.dims(t.getDimensions()));
      }
      Map<String, ShapeRange> ranges = choice.choose(inputs);
      IBuilderConfig config =
          own(owned, "builder configuration", builder.createBuilderConfig(), CppDelete.NO_COPY);
      if (config == null) {
        throw new BackendException("TensorRT could not create a builder configuration");
      }
      if (!ranges.isEmpty()) {
        IOptimizationProfile profile = builder.createOptimizationProfile();
        for (Map.Entry<String, ShapeRange> e : ranges.entrySet()) {
          setDimensions(profile, e.getKey(), OptProfileSelector.kMIN, e.getValue().min());
          setDimensions(profile, e.getKey(), OptProfileSelector.kOPT, e.getValue().opt());
          setDimensions(profile, e.getKey(), OptProfileSelector.kMAX, e.getValue().max());
        }
        config.addOptimizationProfile(profile);
      }
      IHostMemory plan =
          own(owned, "plan", builder.buildSerializedNetwork(network, config), CppDelete.NO_COPY);
      if (plan == null || plan.size() == 0) {
        throw new BackendException(
            "TensorRT could not build an engine from "
                + onnx.getFileName()
                + " (TensorRT's log has why)");
      }
      byte[] bytes = new byte[Math.toIntExact(plan.size())];
      new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
      return bytes;
    }
  }

  /** Registers a TensorRT object for deletion; returns it, or null when TensorRT returned none. */
  private static <T extends org.bytedeco.javacpp.Pointer> T own(
      ReleaseStack owned, String what, T object, int deletingDestructor) {
    if (object == null || object.isNull()) {
      return null;
    }
    long address = object.address();
    owned.push(what, () -> CppDelete.delete(address, deletingDestructor));
    return object;
  }

  private static void setDimensions(
      IOptimizationProfile profile, String input, OptProfileSelector which, long[] shape)
      throws BackendException {
    try (Dims64 dims = new Dims64()) {
      dims.nbDims(shape.length);
      for (int i = 0; i < shape.length; i++) {
        dims.d(i, shape[i]);
      }
      if (!profile.setDimensions(input, which, dims)) {
        throw new BackendException(
            "TensorRT refused the " + which + " shape for input '" + input + "'");
      }
    }
  }
}
