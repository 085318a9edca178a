package io.tensorgate.server;

import io.opentelemetry.sdk.trace.SpanProcessor;
import io.tensorgate.server.tracing.TraceSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a server exposes what it does: Prometheus metrics, payload logs, drift monitoring queues and
 * OpenTelemetry tracing. Defaults follow Triton's where Triton has one (metrics on port 8002,
 * tracing off). Drift detection and payload logging are switched on per model in its config.
 */
public final class ObservabilityOptions {
  boolean allowMetrics = true;
  int metricsPort = 8002;
  String metricsAddress;
  boolean counterLatencies = true;
  Path payloadLogDir;
  long payloadLogMaxFileBytes = 64L << 20;
  int payloadLogMaxFiles = 5;
  int payloadLogQueue = 1024;
  int driftQueue = 1024;
  String traceOtlpEndpoint;
  SpanProcessor traceSpanProcessor;
  TraceSettings.Level traceLevel = TraceSettings.Level.OFF;
  int traceRate = 1000;
  int traceCount = -1;

  /** Triton's {@code --allow-metrics}: false serves no /metrics and records no histograms. */
  public ObservabilityOptions allowMetrics(boolean v) {
    this.allowMetrics = v;
    return this;
  }

  /** Triton's {@code --metrics-port}; 0 picks a free port. */
  public ObservabilityOptions metricsPort(int v) {
    this.metricsPort = v;
    return this;
  }

  /** Where /metrics is bound; {@code null} (default) uses the gRPC address. */
  public ObservabilityOptions metricsAddress(String v) {
    this.metricsAddress = v;
    return this;
  }

  /**
   * Triton's {@code --metrics-config counter_latencies}: the nv_inference_*_duration_us counters.
   */
  public ObservabilityOptions counterLatencies(boolean v) {
    this.counterLatencies = v;
    return this;
  }

  /** Where sampled payload logs go; {@code null} (default) logs none. */
  public ObservabilityOptions payloadLogDir(Path v) {
    this.payloadLogDir = v;
    return this;
  }

  public ObservabilityOptions payloadLogMaxFileBytes(long v) {
    if (v < 1) {
      throw new IllegalArgumentException("payload log file size must be positive");
    }
    this.payloadLogMaxFileBytes = v;
    return this;
  }

  public ObservabilityOptions payloadLogMaxFiles(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("payload log file count must be positive");
    }
    this.payloadLogMaxFiles = v;
    return this;
  }

  /** Lines waiting for the payload writer at most; more are dropped and counted. */
  public ObservabilityOptions payloadLogQueue(int v) {
    this.payloadLogQueue = positive(v, "payload log queue");
    return this;
  }

  /** Samples waiting for the drift thread at most; more are dropped and counted. */
  public ObservabilityOptions driftQueue(int v) {
    this.driftQueue = positive(v, "drift queue");
    return this;
  }

  /** An OTLP/HTTP traces endpoint, e.g. {@code http://collector:4318/v1/traces}. */
  public ObservabilityOptions traceOtlpEndpoint(String v) {
    this.traceOtlpEndpoint = v;
    return this;
  }

  /** Where spans go instead of OTLP (tests: an in-memory exporter's processor). */
  public ObservabilityOptions traceSpanProcessor(SpanProcessor v) {
    this.traceSpanProcessor = v;
    return this;
  }

  /** The initial global trace settings (Triton's {@code --trace-config level/rate/count}). */
  public ObservabilityOptions trace(TraceSettings.Level level, int rate, int count) {
    this.traceLevel = Objects.requireNonNull(level, "level");
    this.traceRate = rate;
    this.traceCount = count;
    return this;
  }

  private static int positive(int v, String what) {
    if (v < 1) {
      throw new IllegalArgumentException(what + " must be positive");
    }
    return v;
  }
}
