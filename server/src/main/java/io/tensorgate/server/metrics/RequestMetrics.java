package io.tensorgate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.Tensor;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.stats.ModelStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real Prometheus histograms per (model, version): request, queue and compute-infer time, request
 * and response bytes, and requests per routing decision. Meters are created once when a version
 * enters service, kept by a reloaded successor (which shares its statistics), and removed when it
 * leaves; {@link #onComplete} only looks them up and records.
 *
 * <p>Thread-safe. {@link #bind}/{@link #unbind} run on the registry's listener thread; {@link
 * #onComplete} on whichever thread answered a request.
 */
final class RequestMetrics implements RequestObserver {
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  static final double[] BYTE_BUCKETS = {
    256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20, 64 << 20
  };

  private final MeterRegistry registry;
  // Keyed by the statistics a version shares with its reloaded successors: requests still
  // finishing on a replaced version record into the same meters.
  private final Map<ModelStats, VersionMeters> meters = new ConcurrentHashMap<>();

  RequestMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  void bind(LoadedVersion v) {
    meters.computeIfAbsent(
        v.stats(),
        s -> new VersionMeters(registry, Tags.of("model", v.name(), "version", v.versionString())));
  }

  void unbind(LoadedVersion v) {
    VersionMeters m = meters.remove(v.stats());
    if (m != null) {
      m.remove(registry);
    }
  }

  /** A reload replaced {@code retired}; its meters go on unless the two keep separate counts. */
  void rebind(LoadedVersion retired, LoadedVersion serving) {
    if (retired.stats() != serving.stats()) {
      unbind(retired);
      bind(serving);
    }
  }

  @Override
  public void onComplete(CompletedRequest r) {
    VersionMeters m = meters.get(r.version().stats());
    if (m != null) {
      m.record(r);
    }
  }

  /** The meters of one version. */
  private static final class VersionMeters {
    private final Tags tags;
    private final Timer request;
    private final Timer queue;
    private final Timer computeInfer;
    private final DistributionSummary requestBytes;
    private final DistributionSummary responseBytes;
    private final Map<String, Counter> routes = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private volatile boolean removed;

    VersionMeters(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
      this.request =
          timer(
              registry,
              "tensorgate.inference.request.duration",
              "Time from arrival to answer of successful requests",
              tags);
      this.queue =
          timer(
              registry,
              "tensorgate.inference.queue.duration",
              "Time successful requests waited in the scheduler queue",
              tags);
      this.computeInfer =
          timer(
              registry,
              "tensorgate.inference.compute.infer.duration",
              "Model execution time of the batch each successful request ran in",
              tags);
      this.requestBytes =
          bytes(
              registry,
              "tensorgate.inference.request.size",
              "Serialized size of each ModelInferRequest",
              tags);
      this.responseBytes =
          bytes(
              registry,
              "tensorgate.inference.response.size",
              "Output tensor bytes of each successful response",
              tags);
      // At zero from the start: the reasons any version can be answered for, routed or not.
      route("default");
      route("pinned");
    }

    private static Timer timer(MeterRegistry r, String name, String help, Tags tags) {
      return Timer.builder(name)
          .description(help)
          .tags(tags)
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(r);
    }

    private static DistributionSummary bytes(MeterRegistry r, String name, String help, Tags tags) {
      return DistributionSummary.builder(name)
          .description(help)
          .baseUnit("bytes")
          .tags(tags)
          .serviceLevelObjectives(BYTE_BUCKETS)
          .register(r);
    }

    void record(CompletedRequest r) {
      requestBytes.record(r.wire().getSerializedSize());
      route(r.routeReason()).increment();
      if (!r.succeeded()) {
        return;
      }
      request.record(r.endNanos() - r.arrivalNanos(), TimeUnit.NANOSECONDS);
      if (r.dispatchNanos() != 0) {
        queue.record(r.dispatchNanos() - r.arrivalNanos(), TimeUnit.NANOSECONDS);
      }
      ExecutionTimestamps e = r.execution();
      if (e != null) {
        computeInfer.record(e.computeInferNanos(), TimeUnit.NANOSECONDS);
      }
      List<Tensor> outputs = r.outputs();
      long size = 0;
      // Indexed: no iterator per request.
      for (int i = 0; i < outputs.size(); i++) {
        size += outputs.get(i).byteSize();
      }
      responseBytes.record(size);
    }

    private Counter route(String reason) {
      Counter c = routes.get(reason);
      if (c != null) {
        return c;
      }
      c =
          routes.computeIfAbsent(
              reason,
              k ->
                  Counter.builder("tensorgate.route.requests")
                      .description("Requests answered by this version, by routing decision")
                      .tags(tags)
                      .tag("route", k)
                      .register(registry));
      if (removed) {
        // A request of a retired version finished after its meters were removed.
        registry.remove(c);
      }
      return c;
    }

    void remove(MeterRegistry r) {
      removed = true;
      for (Meter m : List.of(request, queue, computeInfer, requestBytes, responseBytes)) {
        r.remove(m);
      }
      routes.values().forEach(r::remove);
    }
  }
}
