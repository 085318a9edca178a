package io.tensorgate.server.drift;

import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift detection for every model version whose config sets {@code drift_sample_rate}.
 *
 * <p>On the answering thread a successful request of such a version is sampled at that rate; its
 * feature values are copied (bounded by {@code drift_max_values}) and offered to one bounded queue.
 * A full queue drops the sample and counts it ({@code tensorgate_drift_dropped_total}); a request
 * never waits. One background thread builds references, slides the windows and computes PSI, KL and
 * KS, exported as gauges and through the {@code tensorgate.admin.v1.MonitoringService} API.
 */
public final class DriftMonitor
    implements RequestObserver, ModelRegistry.VersionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);

  private final MeterRegistry registry;
  private final ArrayBlockingQueue<VersionDrift.Sample> queue;
  private final Map<LoadedVersion, VersionDrift> versions = new ConcurrentHashMap<>();
  private final Thread worker;
  private volatile boolean closing;

  /**
   * @param queueCapacity samples waiting for the drift thread at most; more are dropped
   */
  public DriftMonitor(MeterRegistry registry, int queueCapacity) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.worker =
        new BackgroundThreads(registry).start("tensorgate-drift", this::run, () -> closing);
  }

  @Override
  public void onServing(LoadedVersion v) {
    DriftConfig config;
    String failure = "";
    try {
      config = DriftConfig.from(v.config());
      if (config == null) {
        return;
      }
    } catch (IllegalArgumentException e) {
      config = null;
      failure = e.getMessage();
    }
    versions.put(v, new VersionDrift(v, config, failure, registry));
  }

  @Override
  public void onRetired(LoadedVersion v) {
    VersionDrift d = versions.remove(v);
    if (d != null) {
      d.close();
    }
  }

  @Override
  public void onComplete(CompletedRequest r) {
    VersionDrift d = versions.get(r.version());
    if (d == null || !r.succeeded() || r.decoded() == null || !d.sample()) {
      return;
    }
    if (queue.offer(d.extract(r))) {
      d.sampled.increment();
    } else {
      d.dropped.increment();
    }
  }

  /** The monitors of a model's ready versions (every model when {@code model} is null). */
  List<VersionDrift> monitors(String model) {
    List<VersionDrift> out = new ArrayList<>();
    for (VersionDrift d : versions.values()) {
      if (model == null || d.version.name().equals(model)) {
        out.add(d);
      }
    }
    out.sort(
        java.util.Comparator.comparing((VersionDrift d) -> d.version.name())
            .thenComparingLong(d -> d.version.version()));
    return out;
  }

  /** The admin gRPC service reading these monitors. */
  public BindableService service(ModelRegistry models) {
    return new MonitoringService(this, models);
  }

  private void run() {
    long lastExpiry = System.nanoTime();
    while (!closing) {
      VersionDrift.Sample s;
      try {
        s = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        break;
      }
      try {
        if (s != null && versions.get(s.target().version) == s.target()) {
          s.target().add(s);
        }
        long now = System.nanoTime();
        if (now - lastExpiry >= TimeUnit.SECONDS.toNanos(1)) {
          lastExpiry = now;
          versions.values().forEach(d -> d.expire(now));
        }
      } catch (RuntimeException e) {
        log.error("drift update failed", e);
      }
    }
  }

  @Override
  public void close() {
    closing = true;
    worker.interrupt();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    versions.values().forEach(VersionDrift::close);
    versions.clear();
  }
}
