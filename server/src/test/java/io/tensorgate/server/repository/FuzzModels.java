package io.tensorgate.server.repository;

import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Model signatures the fuzz tests decode requests against, built the way {@link ModelLoader} builds
 * a loaded version's {@link ModelIo}: a batching INT32 model (Triton's 'simple'), a batching BYTES
 * model ('simple_string') and a non-batching model with variable dimensions, optional inputs and
 * one input of each datatype family.
 */
public final class FuzzModels {
  /** Triton's quickstart 'simple'. */
  public static final String SIMPLE =
      """
      name: "simple"
      platform: "onnxruntime_onnx"
      max_batch_size: 8
      input [
        { name: "INPUT0" data_type: TYPE_INT32 dims: [ 16 ] },
        { name: "INPUT1" data_type: TYPE_INT32 dims: [ 16 ] }
      ]
      output [
        { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 16 ] },
        { name: "OUTPUT1" data_type: TYPE_INT32 dims: [ 16 ] }
      ]
      """;

  /** Triton's 'simple_string'. */
  public static final String STRING =
      """
      name: "simple_string"
      platform: "onnxruntime_onnx"
      max_batch_size: 8
      input [
        { name: "INPUT0" data_type: TYPE_STRING dims: [ 16 ] },
        { name: "INPUT1" data_type: TYPE_STRING dims: [ 16 ] }
      ]
      output [
        { name: "OUTPUT0" data_type: TYPE_STRING dims: [ 16 ] },
        { name: "OUTPUT1" data_type: TYPE_STRING dims: [ 16 ] }
      ]
      """;

  /** No batching; variable dimensions; every datatype family; optional inputs. */
  public static final String MIXED =
      """
      name: "mixed"
      platform: "onnxruntime_onnx"
      max_batch_size: 0
      input [
        { name: "F32" data_type: TYPE_FP32 dims: [ -1, 4 ] },
        { name: "F16" data_type: TYPE_FP16 dims: [ 2, -1 ] optional: true },
        { name: "B" data_type: TYPE_BOOL dims: [ 3 ] optional: true },
        { name: "I8" data_type: TYPE_INT8 dims: [ -1 ] optional: true },
        { name: "I16" data_type: TYPE_INT16 dims: [ 2 ] optional: true },
        { name: "I64" data_type: TYPE_INT64 dims: [ -1, -1 ] optional: true },
        { name: "U16" data_type: TYPE_UINT16 dims: [ 2 ] optional: true },
        { name: "U32" data_type: TYPE_UINT32 dims: [ 1 ] optional: true },
        { name: "U64" data_type: TYPE_UINT64 dims: [ 1 ] optional: true },
        { name: "F64" data_type: TYPE_FP64 dims: [ -1 ] optional: true },
        { name: "S" data_type: TYPE_STRING dims: [ -1 ] optional: true }
      ]
      output [
        { name: "OUT" data_type: TYPE_FP32 dims: [ -1, 4 ] },
        { name: "SCORES" data_type: TYPE_FP32 dims: [ 10 ] }
      ]
      """;

  private FuzzModels() {}

  /** The three signatures, in a fixed order (fuzz inputs pick one by index). */
  public static List<ModelIo> all() {
    return List.of(io(SIMPLE), io(STRING), io(MIXED));
  }

  /** A validated config's request signature, as a loaded version holds it. */
  public static ModelIo io(String configText) {
    try {
      ModelConfig c = ConfigReader.parseText(configText, "FuzzModels");
      ConfigValidator.validate(c);
      return io(c);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ModelIo io(ModelConfig c) {
    List<TensorSpec> inputs = SchedulerConfigs.inputSpecs(c);
    boolean[] optional = new boolean[inputs.size()];
    for (int i = 0; i < optional.length; i++) {
      optional[i] = c.getInput(i).getOptional();
    }
    List<List<String>> labels = new ArrayList<>();
    for (int i = 0; i < c.getOutputCount(); i++) {
      labels.add(null);
    }
    return new ModelIo(
        c.getName(),
        c.getMaxBatchSize(),
        inputs,
        optional,
        SchedulerConfigs.outputSpecs(c),
        labels);
  }
}
