package io.tensorgate.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.server.repository.LoadedVersion;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per (model, version), read from its scheduler at scrape time: {@code tensorgate_instances_live}
 * (instances in service; 0 means the version lost them all and refuses requests) and {@code
 * tensorgate_scheduler_failures_total} (failures outside the backend that the scheduler's threads
 * survived). Thread-safe; bound and unbound on the registry's listener thread.
 */
final class SchedulerMeters {
  private final MeterRegistry registry;
  private final Map<LoadedVersion, List<Meter>> meters = new ConcurrentHashMap<>();

  SchedulerMeters(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  void bind(LoadedVersion v) {
    Tags tags = Tags.of("model", v.name(), "version", v.versionString());
    Scheduler s = v.scheduler();
    meters.put(
        v,
        List.of(
            Gauge.builder("tensorgate.instances.live", s, Scheduler::liveInstances)
                .description("Model instances in service; 0: every instance was lost")
                .tags(tags)
                .register(registry),
            FunctionCounter.builder("tensorgate.scheduler.failures", s, Scheduler::failures)
                .description(
                    "Failures outside the backend that the scheduler survived; their requests"
                        + " were answered")
                .tags(tags)
                .register(registry)));
  }

  void unbind(LoadedVersion v) {
    List<Meter> m = meters.remove(v);
    if (m != null) {
      m.forEach(registry::remove);
    }
  }
}
