package io.tensorgate.server.cli;

import io.tensorgate.server.TensorgateServerBuilder;
import io.tensorgate.server.repository.RepositorySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Triton's server and model-repository flags beyond the basic ones of {@code Main}: start-up
 * semantics ({@code --exit-on-error}, {@code --strict-readiness}), configuration reading, load
 * threads, and the flags Triton users pass whose value here asks for nothing ({@code
 * --rate-limit=off}, {@code --allow-sagemaker=false}, memory pools of 0 bytes...). A flag that asks
 * for a feature Tensorgate does not have is refused in {@link #validate()} with one line saying
 * why.
 */
public final class TritonOptions {
  @Option(
      names = "--id",
      paramLabel = "<name>",
      description = "Triton's: the server's name in ServerMetadata (default: ${DEFAULT-VALUE}).")
  String id = "triton";

  @Option(
      names = "--exit-on-error",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: exit when a model fails to load at start-up; false serves the others"
              + " (default: ${DEFAULT-VALUE}).")
  boolean exitOnError = true;

  @Option(
      names = "--strict-readiness",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: ServerReady and the health service say ready only while every model asked"
              + " for is available; false: while the server is up (default: ${DEFAULT-VALUE}).")
  boolean strictReadiness = true;

  @Option(
      names = "--disable-auto-complete-config",
      description =
          "Triton's: do not complete configurations from model files; config.pbtxt must exist"
              + " and list inputs and outputs.")
  boolean disableAutoCompleteConfig;

  @Option(
      names = "--strict-model-config",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's deprecated form of --disable-auto-complete-config (default: false).")
  boolean strictModelConfig;

  @Option(
      names = "--model-config-name",
      paramLabel = "<name>",
      description =
          "Triton's: read <model>/configs/<name>.pbtxt where it exists instead of config.pbtxt.")
  String modelConfigName;

  @Option(
      names = "--model-load-thread-count",
      paramLabel = "<n>",
      description = "Triton's: models loaded at once at start-up (default: ${DEFAULT-VALUE}).")
  int modelLoadThreadCount = RepositorySettings.DEFAULTS.loadThreadCount();

  @Option(
      names = "--model-load-retry-count",
      paramLabel = "<n>",
      description =
          "Triton's: how many more times a model version whose load failed is tried"
              + " (default: ${DEFAULT-VALUE}).")
  int modelLoadRetryCount;

  @Option(
      names = "--backend-config",
      paramLabel = "<[backend,]setting=value>",
      description =
          "Triton's backend settings; supported: default-max-batch-size=N (global or per"
              + " backend), the max_batch_size auto-completion gives. Repeatable.")
  List<String> backendConfig = new ArrayList<>();

  @Option(
      names = "--allow-client-shm",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: let clients register and unregister shared-memory regions"
              + " (default: ${DEFAULT-VALUE}).")
  boolean allowClientShm = true;

  @Option(
      names = "--rate-limit",
      paramLabel = "<mode>",
      description = "Triton's: only 'off' (no rate limiter) is supported.")
  String rateLimit = "off";

  @Option(
      names = "--allow-grpc",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: serve gRPC; false serves HTTP/REST only (default: ${DEFAULT-VALUE}).")
  boolean allowGrpc = true;

  @Option(
      names = "--allow-sagemaker",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's: only false is accepted; SageMaker endpoints are not served.")
  Boolean allowSagemaker;

  @Option(
      names = "--allow-vertex-ai",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's: only false is accepted; Vertex AI endpoints are not served.")
  Boolean allowVertexAi;

  @Option(
      names = "--model-namespacing",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's: only false; one repository leaves nothing to separate.")
  Boolean modelNamespacing;

  @Option(
      names = "--enable-peer-access",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: accepted; no CUDA peer access is set up (no copies between GPUs happen).")
  Boolean enablePeerAccess;

  @Option(
      names = "--allow-gpu-metrics",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's: only false is accepted; nv_gpu_* metrics are not exported yet.")
  Boolean allowGpuMetrics;

  @Option(
      names = "--allow-cpu-metrics",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: only false is accepted; nv_cpu_* metrics are not exported (process and JVM"
              + " metrics are).")
  Boolean allowCpuMetrics;

  @Option(
      names = "--metrics-interval-ms",
      paramLabel = "<ms>",
      description = "Triton's: accepted; metrics are read at each scrape, so there is no interval.")
  Double metricsIntervalMillis;

  @Option(
      names = "--grpc-infer-allocation-pool-size",
      paramLabel = "<n>",
      description = "Triton's: accepted; Tensorgate keeps no pool of per-request states to size.")
  Integer grpcInferAllocationPoolSize;

  @Option(
      names = "--grpc-max-response-pool-size",
      paramLabel = "<n>",
      description = "Triton's: accepted; responses go out through gRPC flow control, not a pool.")
  Integer grpcMaxResponsePoolSize;

  @Option(
      names = "--pinned-memory-pool-byte-size",
      paramLabel = "<bytes>",
      description = "Triton's: only 0; Tensorgate keeps no pinned memory pool.")
  Long pinnedMemoryPoolByteSize;

  @Option(
      names = "--cuda-memory-pool-byte-size",
      paramLabel = "<gpu>:<bytes>",
      description = "Triton's: only <gpu>:0; Tensorgate keeps no CUDA memory pool. Repeatable.")
  List<String> cudaMemoryPoolByteSize = new ArrayList<>();

  @Option(
      names = "--buffer-manager-thread-count",
      paramLabel = "<n>",
      description = "Triton's: only 0; inputs are copied on the request's own thread.")
  Integer bufferManagerThreadCount;

  /**
   * Checks the flags together, refusing those whose value asks for a feature that does not exist.
   *
   * @throws IllegalArgumentException with one line naming the flag and why
   */
  public void validate() {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("--id must not be empty");
    }
    if (modelConfigName != null && modelConfigName.isEmpty()) {
      throw new IllegalArgumentException("empty argument for --model-config-name");
    }
    repositorySettings();
    BackendConfig.parse(backendConfig);
    if (!rateLimit.toLowerCase(Locale.ROOT).equals("off")) {
      if (rateLimit.equalsIgnoreCase("execution_count")) {
        throw new IllegalArgumentException(
            "--rate-limit=execution_count: Tensorgate has no rate limiter (models run on their own"
                + " instances); use --rate-limit=off or drop the flag");
      }
      throw new IllegalArgumentException(
          "invalid argument for --rate-limit: '" + rateLimit + "' (off or execution_count)");
    }
    refuseTrue(allowSagemaker, "--allow-sagemaker", "SageMaker endpoints are not served");
    refuseTrue(allowVertexAi, "--allow-vertex-ai", "Vertex AI endpoints are not served");
    refuseTrue(
        modelNamespacing,
        "--model-namespacing",
        "Tensorgate serves one model repository, so namespaces have nothing to separate");
    refuseTrue(
        allowGpuMetrics,
        "--allow-gpu-metrics",
        "nv_gpu_* metrics are not exported yet; pass --allow-gpu-metrics=false");
    refuseTrue(
        allowCpuMetrics,
        "--allow-cpu-metrics",
        "nv_cpu_* metrics are not exported (process and JVM metrics are); pass"
            + " --allow-cpu-metrics=false");
    if (metricsIntervalMillis != null && !(metricsIntervalMillis > 0)) {
      throw new IllegalArgumentException(
          "--metrics-interval-ms must be positive, got " + metricsIntervalMillis);
    }
    if (grpcInferAllocationPoolSize != null && grpcInferAllocationPoolSize < 0) {
      throw new IllegalArgumentException(
          "--grpc-infer-allocation-pool-size must not be negative, got "
              + grpcInferAllocationPoolSize);
    }
    if (grpcMaxResponsePoolSize != null && grpcMaxResponsePoolSize <= 0) {
      throw new IllegalArgumentException(
          "--grpc-max-response-pool-size must be greater than 0, got " + grpcMaxResponsePoolSize);
    }
    if (pinnedMemoryPoolByteSize != null && pinnedMemoryPoolByteSize != 0) {
      throw new IllegalArgumentException(
          "--pinned-memory-pool-byte-size: Tensorgate keeps no pinned memory pool (TensorRT"
              + " instances allocate their own staging buffers); pass 0 or drop the flag");
    }
    for (String pool : cudaMemoryPoolByteSize) {
      if (!pool.matches("\\d+:0+")) {
        throw new IllegalArgumentException(
            "--cuda-memory-pool-byte-size="
                + pool
                + ": Tensorgate keeps no CUDA memory pool; pass <gpu>:0 or drop the flag");
      }
    }
    if (bufferManagerThreadCount != null && bufferManagerThreadCount != 0) {
      throw new IllegalArgumentException(
          "--buffer-manager-thread-count: inputs are copied on the request's own thread, there"
              + " are no buffer manager threads; pass 0 or drop the flag");
    }
  }

  private static void refuseTrue(Boolean value, String flag, String why) {
    if (Boolean.TRUE.equals(value)) {
      throw new IllegalArgumentException(flag + "=true: " + why);
    }
  }

  /** The model-repository settings these flags ask for. */
  public RepositorySettings repositorySettings() {
    BackendConfig backends = BackendConfig.parse(backendConfig);
    return RepositorySettings.DEFAULTS
        .withAutoCompleteConfig(!disableAutoCompleteConfig && !strictModelConfig)
        .withConfigName(modelConfigName == null ? "" : modelConfigName)
        .withDefaultMaxBatchSize(
            backends
                .defaultMaxBatchSize()
                .orElse(RepositorySettings.DEFAULTS.defaultMaxBatchSize()),
            backends.perBackend())
        .withLoadThreadCount(modelLoadThreadCount)
        .withLoadRetryCount(modelLoadRetryCount);
  }

  /** Triton's {@code --allow-grpc}. */
  public boolean allowsGrpc() {
    return allowGrpc;
  }

  /** Sets what these flags control on a server. */
  public TensorgateServerBuilder applyTo(TensorgateServerBuilder b) {
    return b.serverId(id)
        .allowGrpc(allowGrpc)
        .exitOnError(exitOnError)
        .strictReadiness(strictReadiness)
        .allowClientSharedMemory(allowClientShm)
        .repositorySettings(repositorySettings());
  }
}
