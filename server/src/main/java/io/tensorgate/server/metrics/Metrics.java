package io.tensorgate.server.metrics;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The server's metrics: one Micrometer {@link PrometheusMeterRegistry} holding Triton's families
 * (read from {@code ModelStats}), Tensorgate's histograms, JVM and process metrics, and the meters
 * features register on {@link #registry()}.
 *
 * <p>Register it as a {@link ModelRegistry.VersionListener} before models load: it creates each
 * version's meters when the version enters service, hands them on when a reload replaces it, and
 * removes them when it leaves.
 */
public final class Metrics implements ModelRegistry.VersionListener, AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final TritonVersions triton = new TritonVersions();
  private final TritonCounters tritonCounters;
  private final RequestMetrics requests;
  private final SchedulerMeters schedulers;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  @GuardedBy("this")
  private MetricsHttpServer http;

  /**
   * @param counterLatencies export Triton's cumulative {@code nv_inference_*_duration_us} counters
   *     (Triton's {@code --metrics-config counter_latencies}, default true)
   */
  public Metrics(boolean counterLatencies) {
    // Two binder meters whose names Prometheus' linter rejects (ns unit, gauge named _count);
    // process_cpu_usage and the JVM's own metrics cover the same ground.
    registry
        .config()
        .meterFilter(
            MeterFilter.deny(
                id ->
                    id.getName().equals("process.cpu.time")
                        || id.getName().equals("system.cpu.count")));
    this.tritonCounters = new TritonCounters(triton, counterLatencies);
    this.requests = new RequestMetrics(registry);
    this.schedulers = new SchedulerMeters(registry);
    registry.getPrometheusRegistry().register(new TritonCollector(triton));
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * The registry features add their own meters to (canary, shadow, divergence, drift). Meters must
   * be created once and cached by their owner, never per request.
   */
  public MeterRegistry registry() {
    return registry;
  }

  /** The observer that records the per-request histograms. */
  public RequestObserver requestObserver() {
    return requests;
  }

  @Override
  public void onServing(LoadedVersion version) {
    triton.bind(version);
    requests.bind(version);
    schedulers.bind(version);
  }

  @Override
  public void onRetired(LoadedVersion version) {
    triton.unbind(version);
    requests.unbind(version);
    schedulers.unbind(version);
  }

  /**
   * A reloaded version takes over its predecessor's series, which count on from the statistics the
   * two share (as Triton's counters do across a reload): Prometheus sees no reset.
   */
  @Override
  public void onReplaced(LoadedVersion retired, LoadedVersion serving) {
    triton.bind(serving);
    requests.rebind(retired, serving);
    // The scheduler is new: its gauges read the new one (removed first, or the registry would
    // hand back the meters bound to the retired scheduler).
    schedulers.unbind(retired);
    schedulers.bind(serving);
  }

  /** The exposition a scrape returns, in the Prometheus text format 0.0.4. */
  public String scrape() {
    return registry.scrape() + tritonCounters.text();
  }

  /** Writes what {@link #scrape()} returns. */
  private void scrape(OutputStream out) throws IOException {
    registry.scrape(out);
    out.write(tritonCounters.text().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Serves {@code /metrics} on the address (port 0 picks a free one).
   *
   * @return the bound port
   * @throws IOException when the address cannot be bound
   */
  public synchronized int serve(InetSocketAddress address) throws IOException {
    Objects.requireNonNull(address, "address");
    if (http != null) {
      throw new IllegalStateException("metrics are already served on port " + http.port());
    }
    http = new MetricsHttpServer(this::scrape, address);
    return http.port();
  }

  @Override
  public synchronized void close() {
    if (http != null) {
      http.close();
      http = null;
    }
    gc.close();
    registry.close();
  }
}
