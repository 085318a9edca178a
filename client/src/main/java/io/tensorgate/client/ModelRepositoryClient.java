package io.tensorgate.client;

import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import java.util.List;
import java.util.Map;

/**
 * The model repository extension: what the repository holds, and loading and unloading models. On
 * Tensorgate (and Triton) load and unload need {@code --model-control-mode explicit} or {@code
 * poll}; with {@code none} they fail with UNAVAILABLE.
 */
public interface ModelRepositoryClient {
  /** Every model of the repository with its state and, after a failed load, the reason. */
  List<ModelIndex> index();

  /** Only the models that are ready ({@code readyOnly}), or all of them. */
  List<ModelIndex> index(boolean readyOnly);

  /** Loads or reloads a model from the repository; returns when it is ready. */
  void load(String model);

  /**
   * Loads a model with a configuration that replaces its {@code config.pbtxt}: Triton's {@code
   * config} parameter, a ModelConfig in protobuf's JSON mapping.
   */
  void load(String model, String configJson);

  /**
   * Loads a model with a configuration and model files sent in the request (Triton's {@code
   * file:<version>/<name>} parameters), e.g. {@code Map.of("1/model.onnx", bytes)}. A configuration
   * is required when files are sent.
   */
  void load(String model, String configJson, Map<String, byte[]> files);

  /** Unloads a model; returns when it is unloaded. */
  void unload(String model);

  /** Unloads a model and, with {@code unloadDependents}, the models that depend on it. */
  void unload(String model, boolean unloadDependents);
}
