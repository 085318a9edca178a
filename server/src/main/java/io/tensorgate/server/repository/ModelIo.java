package io.tensorgate.server.repository;

import io.tensorgate.backend.TensorSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model version's inputs and outputs as the request path needs them: arrays indexed by position
 * and a name lookup, built once at load so decoding allocates nothing to find a tensor.
 */
public final class ModelIo {
  private final String modelName;
  private final int maxBatchSize;
  private final TensorSpec[] inputs;
  private final boolean[] optional;
  private final int requiredInputs;
  private final TensorSpec[] outputs;
  private final Map<String, Integer> inputIndex = new HashMap<>();
  private final Map<String, Integer> outputIndex = new HashMap<>();
  private final List<List<String>> labels;
  private final List<String> allOutputNames;

  ModelIo(
      String modelName,
      int maxBatchSize,
      List<TensorSpec> inputs,
      boolean[] optional,
      List<TensorSpec> outputs,
      List<List<String>> labels) {
    this.modelName = modelName;
    this.maxBatchSize = maxBatchSize;
    this.inputs = inputs.toArray(new TensorSpec[0]);
    this.optional = optional.clone();
    this.outputs = outputs.toArray(new TensorSpec[0]);
    this.labels = new java.util.ArrayList<>(labels);
    int required = 0;
    for (int i = 0; i < this.inputs.length; i++) {
      inputIndex.put(this.inputs[i].name(), i);
      if (!optional[i]) {
        required++;
      }
    }
    this.requiredInputs = required;
    for (int i = 0; i < this.outputs.length; i++) {
      outputIndex.put(this.outputs[i].name(), i);
    }
    this.allOutputNames = outputs.stream().map(TensorSpec::name).toList();
  }

  public String modelName() {
    return modelName;
  }

  public int maxBatchSize() {
    return maxBatchSize;
  }

  public boolean batching() {
    return maxBatchSize > 0;
  }

  public int inputCount() {
    return inputs.length;
  }

  public int requiredInputCount() {
    return requiredInputs;
  }

  /** Input {@code i}; its shape leaves out the batch dimension when the model batches. */
  public TensorSpec input(int i) {
    return inputs[i];
  }

  public boolean isOptional(int i) {
    return optional[i];
  }

  /** The position of an input, or -1. */
  public int inputIndex(String name) {
    Integer i = inputIndex.get(name);
    return i == null ? -1 : i;
  }

  public int outputCount() {
    return outputs.length;
  }

  public TensorSpec output(int i) {
    return outputs[i];
  }

  /** The position of an output, or -1. */
  public int outputIndex(String name) {
    Integer i = outputIndex.get(name);
    return i == null ? -1 : i;
  }

  /** Every output name in config order (the default set of requested outputs). */
  public List<String> allOutputNames() {
    return allOutputNames;
  }

  /** The labels of output {@code i} from its {@code label_filename}, or {@code null}. */
  public List<String> labels(int i) {
    return labels.get(i);
  }
}
