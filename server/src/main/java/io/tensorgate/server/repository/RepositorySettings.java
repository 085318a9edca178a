package io.tensorgate.server.repository;

import java.util.Map;

/**
 * How models are read and loaded, from Triton's flags of the same meaning.
 *
 * @param autoCompleteConfig complete a missing or partial {@code config.pbtxt} from the model file
 *     ({@code false}: Triton's {@code --disable-auto-complete-config}, or {@code
 *     --strict-model-config=true}: the file must exist and list inputs and outputs)
 * @param configName Triton's {@code --model-config-name}: read {@code <model>/configs/<name>.pbtxt}
 *     when it exists, else {@code config.pbtxt}; empty for {@code config.pbtxt} only
 * @param defaultMaxBatchSize the {@code max_batch_size} auto-completion gives a model whose tensors
 *     all have a variable first dimension (Triton's {@code --backend-config
 *     default-max-batch-size=N}); 0 completes no batching
 * @param backendMaxBatchSizes the same per backend name ({@code --backend-config
 *     onnxruntime,default-max-batch-size=N}), before the global value
 * @param loadThreadCount how many models load at once at start-up ({@code
 *     --model-load-thread-count})
 * @param loadRetryCount how many more times a version whose backend load failed is tried ({@code
 *     --model-load-retry-count})
 */
public record RepositorySettings(
    boolean autoCompleteConfig,
    String configName,
    int defaultMaxBatchSize,
    Map<String, Integer> backendMaxBatchSizes,
    int loadThreadCount,
    int loadRetryCount) {

  /** Triton's defaults. */
  public static final RepositorySettings DEFAULTS =
      new RepositorySettings(true, "", 4, Map.of(), 4, 0);

  public RepositorySettings {
    backendMaxBatchSizes = Map.copyOf(backendMaxBatchSizes);
    if (configName == null) {
      configName = "";
    }
    if (!configName.isEmpty()
        && (configName.contains("/")
            || configName.contains("\\")
            || configName.startsWith(".")
            || configName.chars().anyMatch(Character::isWhitespace))) {
      throw new IllegalArgumentException(
          "--model-config-name must be a plain name without spaces or '/', got '"
              + configName
              + "'");
    }
    if (defaultMaxBatchSize < 0 || backendMaxBatchSizes.values().stream().anyMatch(v -> v < 0)) {
      throw new IllegalArgumentException("default-max-batch-size must not be negative");
    }
    if (loadThreadCount < 1) {
      throw new IllegalArgumentException(
          "--model-load-thread-count must be at least 1, got " + loadThreadCount);
    }
    if (loadRetryCount < 0) {
      throw new IllegalArgumentException(
          "--model-load-retry-count must not be negative, got " + loadRetryCount);
    }
  }

  /** The {@code max_batch_size} auto-completion gives models of this backend. */
  public int defaultMaxBatchSize(String backend) {
    return backendMaxBatchSizes.getOrDefault(backend, defaultMaxBatchSize);
  }

  public RepositorySettings withAutoCompleteConfig(boolean v) {
    return new RepositorySettings(
        v, configName, defaultMaxBatchSize, backendMaxBatchSizes, loadThreadCount, loadRetryCount);
  }

  public RepositorySettings withConfigName(String v) {
    return new RepositorySettings(
        autoCompleteConfig,
        v,
        defaultMaxBatchSize,
        backendMaxBatchSizes,
        loadThreadCount,
        loadRetryCount);
  }

  /**
   * @param global the default for every backend
   * @param perBackend overrides by backend name
   */
  public RepositorySettings withDefaultMaxBatchSize(int global, Map<String, Integer> perBackend) {
    return new RepositorySettings(
        autoCompleteConfig, configName, global, perBackend, loadThreadCount, loadRetryCount);
  }

  public RepositorySettings withLoadThreadCount(int v) {
    return new RepositorySettings(
        autoCompleteConfig,
        configName,
        defaultMaxBatchSize,
        backendMaxBatchSizes,
        v,
        loadRetryCount);
  }

  public RepositorySettings withLoadRetryCount(int v) {
    return new RepositorySettings(
        autoCompleteConfig,
        configName,
        defaultMaxBatchSize,
        backendMaxBatchSizes,
        loadThreadCount,
        v);
  }
}
