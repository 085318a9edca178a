package io.tensorgate.server;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.server.drift.DriftMonitor;
import io.tensorgate.server.metrics.Metrics;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.payload.PayloadLogger;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.tracing.TraceSettingRpc;
import io.tensorgate.server.tracing.TraceSettings;
import io.tensorgate.server.tracing.Tracing;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the side paths (metrics, drift, payload logs, tracing) to the model registry and the
 * request path. Created before any model loads, so every version is seen entering service.
 */
final class Observability implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Observability.class);

  private final Metrics metrics;
  private final DriftMonitor drift;
  private final PayloadLogger payload;
  private final Tracing tracing;
  private final ModelRegistry models;
  private final List<RequestObserver> observers = new ArrayList<>();
  private int metricsPort = -1;

  private Observability(ObservabilityOptions o, ModelRegistry models) {
    this.models = models;
    this.metrics = new Metrics(o.counterLatencies);
    MeterRegistry registry = metrics.registry();
    this.drift = new DriftMonitor(registry, o.driftQueue);
    this.payload =
        o.payloadLogDir == null
            ? null
            : new PayloadLogger(
                o.payloadLogDir,
                o.payloadLogMaxFileBytes,
                o.payloadLogMaxFiles,
                o.payloadLogQueue,
                registry);
    TraceSettings settings = new TraceSettings(o.traceLevel, o.traceRate, o.traceCount);
    this.tracing =
        Tracing.create(
            settings,
            o.traceSpanProcessor != null
                ? o.traceSpanProcessor
                : o.traceOtlpEndpoint != null ? Tracing.otlp(o.traceOtlpEndpoint) : null);
    if (o.allowMetrics) {
      models.addListener(metrics);
      observers.add(metrics.requestObserver());
    }
    models.addListener(drift);
    observers.add(drift);
    if (payload != null) {
      models.addListener(payload);
      observers.add(payload);
    }
    if (tracing.enabled()) {
      observers.add(tracing.observer());
    }
  }

  /**
   * Starts everything and serves /metrics when allowed.
   *
   * @param grpcAddress the address /metrics binds to unless the options name another
   * @throws IOException when the metrics port cannot be bound
   */
  static Observability start(ObservabilityOptions o, ModelRegistry models, String grpcAddress)
      throws IOException {
    Observability obs = new Observability(o, models);
    if (o.allowMetrics) {
      String host = o.metricsAddress != null ? o.metricsAddress : grpcAddress;
      try {
        obs.metricsPort =
            obs.metrics.serve(new InetSocketAddress(InetAddress.getByName(host), o.metricsPort));
      } catch (IOException e) {
        obs.close();
        throw new IOException("cannot serve metrics on " + host + ":" + o.metricsPort, e);
      }
      log.info("Started Metrics Service at {}:{}", host, obs.metricsPort);
    }
    return obs;
  }

  /** The observers to tell about every answered request, cheapest first. */
  List<RequestObserver> observers() {
    return List.copyOf(observers);
  }

  MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  Metrics metrics() {
    return metrics;
  }

  /** The bound metrics port, or -1 when metrics are off. */
  int metricsPort() {
    return metricsPort;
  }

  TraceSettingRpc traceSettingRpc() {
    return new TraceSettingRpc(
        tracing.settings(),
        name -> {
          ModelRegistry.ServedModel m = models.get(name);
          return m != null && !m.ready().isEmpty();
        });
  }

  ServerInterceptor traceHeaders() {
    return tracing.headers();
  }

  BindableService monitoringService() {
    return drift.service(models);
  }

  /** Stops the side paths; call after the models are unloaded so queued work is flushed. */
  @Override
  public void close() {
    tracing.close();
    if (payload != null) {
      payload.close();
    }
    drift.close();
    metrics.close();
  }
}
