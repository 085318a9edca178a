package io.tensorgate.client;

import io.grpc.Channel;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.proto.inference.ModelStatisticsResponse;
import io.tensorgate.proto.inference.ServerMetadataResponse;
import java.util.concurrent.CompletableFuture;

/**
 * A client for Tensorgate and any server speaking Triton's gRPC protocol ({@code
 * inference.GRPCInferenceService}, KServe v2 plus Triton's extensions).
 *
 * <pre>{@code
 * try (TensorgateClient client = TensorgateClient.builder("127.0.0.1:8001").build()) {
 *   InferResult r = client.infer(InferRequest.builder("simple")
 *       .input(InferInput.of("INPUT0", a, 1, 16))
 *       .input(InferInput.of("INPUT1", b, 1, 16))
 *       .build());
 *   int[] sum = r.output("OUTPUT0").asInts();
 * }
 * }</pre>
 *
 * <p>A client is thread-safe and meant to be shared: it holds one gRPC channel (HTTP/2 connection
 * pool) that every call multiplexes over. Create one per server at start-up and {@link #close()} it
 * at shutdown. Every failed call throws (or completes with) {@link InferenceServerException}. Calls
 * use the builder's default deadline unless a request sets its own.
 */
public interface TensorgateClient extends AutoCloseable {
  /**
   * A builder for a client of the server at {@code target}: {@code "host:port"} or any gRPC target
   * URI ({@code "dns:///inference.internal:8001"}).
   */
  static TensorgateClientBuilder builder(String target) {
    return new TensorgateClientBuilder(target, null);
  }

  /**
   * A builder for a client over a channel the caller made and keeps owning: {@link #close()} leaves
   * it open. Transport options of the builder (TLS, keep-alive, retries) do not apply to it; the
   * bearer token and the default deadline do.
   */
  static TensorgateClientBuilder builder(Channel channel) {
    return new TensorgateClientBuilder(null, channel);
  }

  /** Whether the server is live (KServe v2 ServerLive). */
  boolean isServerLive();

  /** Whether the server is ready for inference (false while it starts or drains). */
  boolean isServerReady();

  /** Whether the model's default version is ready. */
  boolean isModelReady(String model);

  /** Whether a version of the model is ready ({@code ""} for the default). */
  boolean isModelReady(String model, String version);

  /** The server's name, version and the protocol extensions it supports. */
  ServerMetadataResponse serverMetadata();

  /** The model's versions, platform and input/output signature. */
  ModelMetadataResponse modelMetadata(String model);

  /** The signature of one version of the model ({@code ""} for the default). */
  ModelMetadataResponse modelMetadata(String model, String version);

  /** The model's configuration as the server completed it. */
  ModelConfig modelConfig(String model);

  /** The configuration of one version of the model ({@code ""} for the default). */
  ModelConfig modelConfig(String model, String version);

  /** Inference statistics of every loaded model version. */
  ModelStatisticsResponse modelStatistics();

  /**
   * Inference statistics of a model ({@code ""} for all) and version ({@code ""} for all its
   * versions).
   */
  ModelStatisticsResponse modelStatistics(String model, String version);

  /** Runs one inference and waits for its answer. */
  InferResult infer(InferRequest request);

  /**
   * Sends one inference without waiting. The future completes on a gRPC thread (keep callbacks
   * short or hand them to an executor); cancelling it cancels the call on the server, which drops
   * the request if it has not started executing.
   */
  CompletableFuture<InferResult> inferAsync(InferRequest request);

  /**
   * Opens a bidirectional inference stream (ModelStreamInfer): many requests over one call, each
   * answered through its own future. The stream has no deadline.
   */
  InferStream openStream();

  /** Model repository calls: index, load, unload. */
  ModelRepositoryClient repository();

  /** System and CUDA shared-memory registration. */
  SharedMemoryClient sharedMemory();

  /** Trace and log settings. */
  SettingsClient settings();

  /** Tensorgate's routing admin API: labels, canary, shadow, rollouts, events. */
  RoutingClient routing();

  /** Tensorgate's monitoring API: drift per model version. */
  MonitoringClient monitoring();

  /** The channel the client calls over, with the bearer token applied, for other stubs. */
  Channel channel();

  /**
   * Shuts the client's own channel down, failing calls still open after a short grace period; a
   * channel passed to {@link #builder(Channel)} is left open. Idempotent.
   */
  @Override
  void close();
}
