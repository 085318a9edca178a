package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What building an engine from an ONNX model needs to decide, in plain Java: whether the model asks
 * for it and the optimization profile ({@link OnnxPlans} caches the plans).
 *
 * <p>A {@code tensorrt_plan} model asks for a build by naming an ONNX file as its model file
 * ({@code default_model_filename: "model.onnx"}). The profile takes each input's dynamic dimensions
 * from the configuration: the batch dimension ranges over 1..{@code max_batch_size}, other
 * dimensions the configuration fixes are fixed, and dimensions left dynamic by both need the
 * parameters {@value #MIN_SHAPES} and {@value #MAX_SHAPES} (and optionally {@value #OPT_SHAPES},
 * else the max), in trtexec's syntax: {@code INPUT0:1x16,INPUT1:1x1}.
 */
final class OnnxBuildSettings {
  static final String MIN_SHAPES = "trt_min_shapes";
  static final String OPT_SHAPES = "trt_opt_shapes";
  static final String MAX_SHAPES = "trt_max_shapes";

  private OnnxBuildSettings() {}

  /** Whether the model file is an ONNX model, from which an engine is built. */
  static boolean isOnnx(Path modelFile) {
    Path name = modelFile.getFileName();
    return name != null && name.toString().endsWith(".onnx");
  }

  /**
   * The profile to build with, by input name; empty when no input of the network is dynamic.
   *
   * @param networkInputs the parsed network's inputs in order, -1 for dynamic dimensions
   * @throws BackendException when a dynamic dimension has no range, or a parameter does not parse
   *     or contradicts the network
   */
  static Map<String, ShapeRange> profile(
      ModelDefinition definition, Map<String, long[]> networkInputs) throws BackendException {
    boolean dynamic = false;
    for (long[] dims : networkInputs.values()) {
      for (long d : dims) {
        dynamic |= d < 0;
      }
    }
    Map<String, ShapeRange> ranges = new LinkedHashMap<>();
    if (!dynamic) {
      return ranges;
    }
    Map<String, long[]> min = shapes(definition, MIN_SHAPES);
    Map<String, long[]> opt = shapes(definition, OPT_SHAPES);
    Map<String, long[]> max = shapes(definition, MAX_SHAPES);
    for (Map.Entry<String, long[]> e : networkInputs.entrySet()) {
      String name = e.getKey();
      long[] dims = e.getValue();
      ShapeRange range =
          min.containsKey(name) || max.containsKey(name)
              ? explicit(definition, name, dims, min.get(name), opt.get(name), max.get(name))
              : fromConfiguration(definition, name, dims);
      ranges.put(name, range);
    }
    return ranges;
  }

  private static ShapeRange explicit(
      ModelDefinition def, String name, long[] dims, long[] min, long[] opt, long[] max)
      throws BackendException {
    if (min == null || max == null) {
      throw failure(
          def,
          "input '"
              + name
              + "' has a range in only one of "
              + MIN_SHAPES
              + " and "
              + MAX_SHAPES
              + "; give both");
    }
    long[] o = opt != null ? opt : max;
    for (long[] shape : new long[][] {min, o, max}) {
      if (!Shapes.matches(dims, shape)) {
        throw failure(
            def,
            "the range "
                + Shapes.toString(shape)
                + " given for input '"
                + name
                + "' does not fit its shape in the ONNX model, "
                + Shapes.toString(dims));
      }
    }
    for (int i = 0; i < dims.length; i++) {
      if (min[i] < 0 || min[i] > o[i] || o[i] > max[i]) {
        throw failure(
            def,
            "input '"
                + name
                + "' needs min <= opt <= max in every dimension, got "
                + Shapes.toString(min)
                + ", "
                + Shapes.toString(o)
                + ", "
                + Shapes.toString(max));
      }
    }
    return new ShapeRange(min, o, max);
  }

  private static ShapeRange fromConfiguration(ModelDefinition def, String name, long[] dims)
      throws BackendException {
    TensorSpec configured = null;
    for (TensorSpec t : def.inputs()) {
      if (t.name().equals(name)) {
        configured = t;
      }
    }
    if (configured == null) {
      throw failure(def, "the ONNX model's input '" + name + "' is not in the configuration");
    }
    long[] full = def.batching() ? Shapes.prepend(-1, configured.shape()) : configured.shape();
    if (full.length != dims.length) {
      throw failure(
          def,
          "input '"
              + name
              + "' has shape "
              + Shapes.toString(dims)
              + " in the ONNX model but "
              + Shapes.toString(full)
              + " in the configuration"
              + (def.batching() ? " (dims with the batch dimension in front)" : ""));
    }
    long[] min = new long[dims.length];
    long[] max = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] >= 0) {
        min[i] = dims[i];
        max[i] = dims[i];
      } else if (def.batching() && i == 0) {
        min[i] = 1;
        max[i] = def.maxBatchSize();
      } else if (full[i] >= 0) {
        min[i] = full[i];
        max[i] = full[i];
      } else {
        throw failure(
            def,
            "dimension "
                + i
                + " of input '"
                + name
                + "' is dynamic in the ONNX model and in the configuration; give its range with"
                + " the parameters "
                + MIN_SHAPES
                + " and "
                + MAX_SHAPES
                + ", e.g. "
                + name
                + ":1x16");
      }
    }
    return new ShapeRange(min, max, max);
  }

  /** A parameter in trtexec's syntax, {@code name:1x3x224,other:4}; empty when not set. */
  static Map<String, long[]> parseShapes(String parameter, String text) throws BackendException {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return shapes;
    }
    for (String item : text.split(",")) {
      int colon = item.lastIndexOf(':');
      String name = colon > 0 ? item.substring(0, colon).trim() : "";
      String dims = colon > 0 ? item.substring(colon + 1).trim() : "";
      if (name.isEmpty() || dims.isEmpty()) {
        throw new BackendException(
            "parameter "
                + parameter
                + ": '"
                + item.trim()
                + "' is not NAME:DIMxDIM..., e.g. INPUT0:1x16");
      }
      String[] parts = dims.split("x");
      long[] shape = new long[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          shape[i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new BackendException(
              "parameter "
                  + parameter
                  + ": '"
                  + parts[i]
                  + "' in '"
                  + item.trim()
                  + "' is not a"
                  + " dimension");
        }
        if (shape[i] < 0) {
          throw new BackendException(
              "parameter "
                  + parameter
                  + ": dimensions must not be negative in '"
                  + item.trim()
                  + "'");
        }
      }
      shapes.put(name, shape);
    }
    return shapes;
  }

  private static Map<String, long[]> shapes(ModelDefinition def, String parameter)
      throws BackendException {
    try {
      return parseShapes(parameter, def.parameters().get(parameter));
    } catch (BackendException e) {
      throw failure(def, e.getMessage());
    }
  }

  private static BackendException failure(ModelDefinition def, String what) {
    return new BackendException(
        "unable to build a TensorRT engine for model '"
            + def.name()
            + "' from "
            + def.modelFile()
            + ": "
            + what);
  }
}
