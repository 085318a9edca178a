package io.tensorgate.server.tracing;

import io.grpc.ServerInterceptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.tensorgate.server.observe.RequestObserver;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry tracing of inference requests. Off unless a span processor is configured (an OTLP
 * endpoint, or a test's in-memory exporter); then requests are sampled by the {@link TraceSettings}
 * (level, rate, count) that the TraceSetting RPC controls.
 *
 * <p>Sampling happens here, before any span exists, so the SDK samples everything it is given.
 */
public final class Tracing implements AutoCloseable {
  private final TraceSettings settings;
  private final SdkTracerProvider provider;
  private final TraceObserver observer;

  private Tracing(TraceSettings settings, SpanProcessor processor) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (processor == null) {
      this.provider = null;
      this.observer = null;
      return;
    }
    this.provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "tensorgate"))))
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(processor)
            .build();
    this.observer = new TraceObserver(provider.get("io.tensorgate.server"), settings);
  }

  /**
   * @param settings the sampling settings
   * @param processor where finished spans go, or {@code null} to trace nothing
   */
  public static Tracing create(TraceSettings settings, SpanProcessor processor) {
    return new Tracing(settings, processor);
  }

  /**
   * A span processor exporting to an OTLP/HTTP endpoint (e.g. {@code
   * http://collector:4318/v1/traces}) in batches from a bounded queue; a full queue drops spans.
   */
  public static SpanProcessor otlp(String endpoint) {
    return BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build())
        .setMaxQueueSize(2048)
        .build();
  }

  public TraceSettings settings() {
    return settings;
  }

  /** Whether spans are produced at all (a processor is configured). */
  public boolean enabled() {
    return observer != null;
  }

  /** The observer that creates spans, or {@code null} when tracing is off. */
  public RequestObserver observer() {
    return observer;
  }

  /** The interceptor that captures the caller's {@code traceparent}. */
  public ServerInterceptor headers() {
    return new TraceHeaders();
  }

  @Override
  public void close() {
    if (provider != null) {
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }
}
