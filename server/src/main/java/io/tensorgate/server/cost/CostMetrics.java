package io.tensorgate.server.cost;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.stats.ExecutionCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per (model, version): {@code tensorgate_inference_cpu_seconds_total} and {@code
 * tensorgate_inference_gpu_seconds_total}, read at scrape time from the version's {@link
 * ExecutionCost}, and with prices {@code tensorgate_cost_per_1k_inferences} over its sliding window
 * (NaN while the window holds no inference). Meters are made when a version enters service and
 * removed when it leaves; nothing happens per request.
 */
public final class CostMetrics implements ModelRegistry.VersionListener {
  private final MeterRegistry registry;
  private final CostPrices prices;
  private final Map<LoadedVersion, List<Meter>> meters = new ConcurrentHashMap<>();

  public CostMetrics(MeterRegistry registry, CostPrices prices) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.prices = Objects.requireNonNull(prices, "prices");
  }

  @Override
  public void onServing(LoadedVersion v) {
    Tags tags = Tags.of("model", v.name(), "version", v.versionString());
    ExecutionCost cost = v.stats().cost();
    List<Meter> m = new ArrayList<>(3);
    m.add(
        FunctionCounter.builder("tensorgate.inference.cpu.seconds", cost, c -> c.cpuNanos() / 1e9)
            .description(
                "CPU time of the version's instance threads (executing, assembling, answering)")
            .tags(tags)
            .register(registry));
    m.add(
        FunctionCounter.builder(
                "tensorgate.inference.gpu.seconds", cost, c -> c.deviceNanos() / 1e9)
            .description("GPU time of the model's executions, as the backend measured it")
            .tags(tags)
            .register(registry));
    if (prices.priced()) {
      m.add(
          Gauge.builder("tensorgate.cost.per.1k.inferences", cost, c -> prices.per1k(c.window()))
              .description(
                  "Cost of 1000 inferences over the last minute at --cost-per-core-hour and"
                      + " --cost-per-gpu-hour")
              .tags(tags)
              .register(registry));
    }
    meters.put(v, m);
  }

  @Override
  public void onRetired(LoadedVersion v) {
    List<Meter> m = meters.remove(v);
    if (m != null) {
      m.forEach(registry::remove);
    }
  }
}
