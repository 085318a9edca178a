package io.tensorgate.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the server tells a backend about one model version to load: the model file and the
 * validated, auto-completed configuration, in plain Java (backends do not see the protobuf config).
 *
 * @param name the model name
 * @param version the version number
 * @param platform Triton's platform string, e.g. {@code "onnxruntime_onnx"}
 * @param versionDirectory the version's folder, {@code <repo>/<model>/<version>}
 * @param modelFile the model file or folder inside it, e.g. {@code .../1/model.onnx}
 * @param maxBatchSize 0 when the model does not batch; otherwise the largest batch it accepts
 * @param inputs the configured inputs; shapes leave out the batch dimension when {@code
 *     maxBatchSize > 0}
 * @param outputs the configured outputs, shaped like {@code inputs}
 * @param parameters the config's free-form {@code parameters}, by key
 */
public record ModelDefinition(
    String name,
    long version,
    String platform,
    Path versionDirectory,
    Path modelFile,
    int maxBatchSize,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    Map<String, String> parameters) {
  public ModelDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(versionDirectory, "versionDirectory");
    Objects.requireNonNull(modelFile, "modelFile");
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    parameters = Map.copyOf(Objects.requireNonNull(parameters, "parameters"));
  }

  /** Whether requests carry a leading batch dimension. */
  public boolean batching() {
    return maxBatchSize > 0;
  }
}
