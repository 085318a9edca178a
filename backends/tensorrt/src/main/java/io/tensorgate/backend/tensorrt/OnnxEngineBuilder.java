package io.tensorgate.backend.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ModelDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
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
 * Builds a TensorRT engine from an ONNX model with TensorRT's ONNX parser and builder, and caches
 * the plan beside the model (see {@link OnnxBuildSettings} for when and with which profile).
 * Building takes seconds to minutes; it runs on the model-load thread, once per ONNX file change.
 */
final class OnnxEngineBuilder {
  private OnnxEngineBuilder() {}

  /** A plan file, and whether it was built just now (rather than found in the cache). */
  record Plan(Path file, boolean built) {}

  /**
   * The plan for a model whose file is ONNX: the cached one when it is fresh, else a new build.
   *
   * @param rebuild build even when the cache looks fresh (it did not deserialize)
   * @throws BackendException when the ONNX parser is missing, the model does not parse or build, or
   *     the plan cannot be written
   */
  static Plan plan(ModelDefinition definition, int device, boolean rebuild)
      throws BackendException {
    Path onnx = definition.modelFile();
    Path plan = OnnxBuildSettings.planFor(onnx);
    try {
      FileTime planTime = Files.exists(plan) ? Files.getLastModifiedTime(plan) : null;
      if (!rebuild && OnnxBuildSettings.cacheFresh(Files.getLastModifiedTime(onnx), planTime)) {
        return new Plan(plan, false);
      }
      byte[] bytes = build(definition, onnx, device);
      Path tmp = Files.createTempFile(plan.getParent(), ".model-", ".plan.tmp");
      try {
        Files.write(tmp, bytes);
        Files.move(tmp, plan, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return new Plan(plan, true);
    } catch (IOException e) {
      throw new BackendException(
          "cannot cache the TensorRT engine built from " + onnx + " as " + plan + ": " + e, e);
    }
  }

  private static byte[] build(ModelDefinition definition, Path onnx, int device)
      throws BackendException {
    try {
      Loader.load(nvonnxparser.class);
    } catch (LinkageError | RuntimeException e) {
      throw new BackendException(
          "building an engine from "
              + onnx
              + " needs TensorRT's ONNX parser, which did not load: "
              + LoadFailures.describe(e));
    }
    Cuda.setDevice(device);
    TrtLogger logger = new TrtLogger();
    IBuilder builder = createInferBuilder(logger);
    INetworkDefinition network = null;
    IParser parser = null;
    IBuilderConfig config = null;
    IHostMemory plan = null;
    try {
      if (builder == null || builder.isNull()) {
        throw new BackendException("TensorRT could not create a builder (createInferBuilder)");
      }
      network = builder.createNetworkV2(0);
      parser = network == null || network.isNull() ? null : createParser(network, logger);
      if (parser == null || parser.isNull()) {
        throw new BackendException("TensorRT could not create a network and ONNX parser");
      }
      if (!parser.parseFromFile(onnx.toString(), ILogger.Severity.kWARNING.value)) {
        StringBuilder errors = new StringBuilder();
        for (int i = 0; i < parser.getNbErrors(); i++) {
          errors.append(i == 0 ? "" : "; ").append(parser.getError(i).desc());
        }
        throw new BackendException("TensorRT's ONNX parser refused " + onnx + ": " + errors);
      }
      Map<String, long[]> inputs = new LinkedHashMap<>();
      for (int i = 0; i < network.getNbInputs(); i++) {
        ITensor t = network.getInput(i);
        inputs.put(t.getName(), TrtEngine.dims(t.getDimensions()));
      }
      config = builder.createBuilderConfig();
      Map<String, ShapeRange> ranges = OnnxBuildSettings.profile(definition, inputs);
      if (!ranges.isEmpty()) {
        IOptimizationProfile profile = builder.createOptimizationProfile();
        for (Map.Entry<String, ShapeRange> e : ranges.entrySet()) {
          setDimensions(profile, e.getKey(), OptProfileSelector.kMIN, e.getValue().min());
          setDimensions(profile, e.getKey(), OptProfileSelector.kOPT, e.getValue().opt());
          setDimensions(profile, e.getKey(), OptProfileSelector.kMAX, e.getValue().max());
        }
        config.addOptimizationProfile(profile);
      }
      plan = builder.buildSerializedNetwork(network, config);
      if (plan == null || plan.isNull() || plan.size() == 0) {
        throw new BackendException(
            "TensorRT could not build an engine from " + onnx + " (TensorRT's log has why)");
      }
      byte[] bytes = new byte[Math.toIntExact(plan.size())];
      new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
      return bytes;
    } finally {
      for (Pointer p : new Pointer[] {plan, config, parser, network, builder}) {
        if (p != null && !p.isNull()) {
          p.deallocate();
        }
      }
      logger.deallocate();
    }
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
