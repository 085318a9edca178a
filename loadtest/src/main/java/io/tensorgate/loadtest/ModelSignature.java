package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a load test needs to know about a model: its inputs and outputs and whether it batches.
 *
 * @param name model name
 * @param maxBatchSize the model's {@code max_batch_size}; greater than 0 means requests carry a
 *     leading batch dimension that the tensor shapes here leave out
 * @param inputs input tensors, shapes without the batch dimension
 * @param outputs output tensors, shapes without the batch dimension
 */
public record ModelSignature(
    String name, int maxBatchSize, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public ModelSignature {
    Objects.requireNonNull(name, "name");
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("maxBatchSize must be >= 0, got " + maxBatchSize);
    }
  }

  /** The signature of the sample repository's {@code simple} model: INT32 [batch,16] in and out. */
  public static ModelSignature simple() {
    return new ModelSignature(
        "simple",
        8,
        List.of(
            new TensorSpec("INPUT0", "INT32", List.of(16L)),
            new TensorSpec("INPUT1", "INT32", List.of(16L))),
        List.of(
            new TensorSpec("OUTPUT0", "INT32", List.of(16L)),
            new TensorSpec("OUTPUT1", "INT32", List.of(16L))));
  }

  public boolean batches() {
    return maxBatchSize > 0;
  }

  /**
   * Asks a server: ModelMetadata for names, datatypes and shapes, ModelConfig for max_batch_size
   * (as perf_analyzer does). Metadata shapes of a batching model start with the batch dimension
   * (-1), which is dropped here. Blocking; called once before a run starts.
   */
  static ModelSignature discover(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub,
      String model,
      String version) {
    ModelMetadataResponse metadata =
        stub.modelMetadata(
            ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build());
    int maxBatchSize =
        stub.modelConfig(ModelConfigRequest.newBuilder().setName(model).setVersion(version).build())
            .getConfig()
            .getMaxBatchSize();
    return new ModelSignature(
        model,
        maxBatchSize,
        specs(metadata.getInputsList(), maxBatchSize > 0),
        specs(metadata.getOutputsList(), maxBatchSize > 0));
  }

  private static List<TensorSpec> specs(
      List<ModelMetadataResponse.TensorMetadata> tensors, boolean dropBatchDim) {
    List<TensorSpec> specs = new ArrayList<>(tensors.size());
    for (ModelMetadataResponse.TensorMetadata tensor : tensors) {
      List<Long> shape = tensor.getShapeList();
      if (dropBatchDim && !shape.isEmpty()) {
        shape = shape.subList(1, shape.size());
      }
      specs.add(new TensorSpec(tensor.getName(), tensor.getDatatype(), shape));
    }
    return specs;
  }
}
