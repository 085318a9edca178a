package io.tensorgate.server.cli;

import java.util.Map;
import java.util.Optional;

/**
 * Triton's flags (from {@code tritonserver --help}) that name a feature Tensorgate does not have,
 * with why, so that a Triton command line that uses one fails with one line naming it rather than
 * with "unknown option" and the whole help. Flags that Tensorgate accepts are options of the
 * command; this table only explains the others.
 */
final class UnsupportedTritonFlags {
  private static final String SAGEMAKER = "SageMaker endpoints are not served";
  private static final String VERTEX = "Vertex AI endpoints are not served";
  private static final String CACHE = "there is no response cache";
  private static final String TRACE_FILE =
      "trace files are not written; traces go to OpenTelemetry (--trace-config"
          + " mode=opentelemetry --trace-config opentelemetry,url=<collector>)";

  private static final Map<String, String> REASONS =
      Map.ofEntries(
          Map.entry("--sagemaker-port", SAGEMAKER),
          Map.entry("--sagemaker-safe-port-range", SAGEMAKER),
          Map.entry("--sagemaker-thread-count", SAGEMAKER),
          Map.entry("--vertex-ai-port", VERTEX),
          Map.entry("--vertex-ai-thread-count", VERTEX),
          Map.entry("--vertex-ai-default-model", VERTEX),
          Map.entry(
              "--grpc-header-forward-pattern",
              "request headers are not forwarded as inference parameters: no backend here reads"
                  + " them"),
          Map.entry("--cache-config", CACHE),
          Map.entry("--cache-directory", CACHE),
          Map.entry("--response-cache-byte-size", CACHE),
          Map.entry(
              "--rate-limit-resource",
              "there is no rate limiter (only --rate-limit=off is accepted)"),
          Map.entry(
              "--cuda-virtual-address-size",
              "implicit sequence state lives in host memory, there is no growable CUDA memory"),
          Map.entry(
              "--min-supported-compute-capability",
              "GPUs are not filtered by compute capability; TensorRT refuses plans it cannot run"),
          Map.entry("--host-policy", "there are no NUMA or CPU-core host policies"),
          Map.entry("--model-load-gpu-limit", "GPU memory is not checked before loading"),
          Map.entry(
              "--backend-directory",
              "backends are built in (onnxruntime, tensorrt); none are loaded from a folder"),
          Map.entry("--repoagent-directory", "there are no repository agents"),
          Map.entry("--trace-file", TRACE_FILE),
          Map.entry("--trace-log-frequency", TRACE_FILE));

  private UnsupportedTritonFlags() {}

  /**
   * Why a Triton flag is not accepted, or empty when the argument is not one of Triton's.
   *
   * @param argument a command-line argument, with or without {@code =value}
   */
  static Optional<String> reason(String argument) {
    int eq = argument.indexOf('=');
    String flag = eq < 0 ? argument : argument.substring(0, eq);
    return Optional.ofNullable(REASONS.get(flag)).map(why -> flag + ": " + why);
  }
}
