package io.tensorgate.server.provenance;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tensorgate_model_info{model,version,digest,signer} 1} for every version in service: which
 * files serve (the manifest digest) and who signed them; both are empty for a version loaded
 * without signature checks. Made when a version enters service, removed when it leaves.
 */
public final class ModelInfoMetrics implements ModelRegistry.VersionListener {
  private final MeterRegistry registry;
  private final Map<LoadedVersion, Gauge> gauges = new ConcurrentHashMap<>();

  public ModelInfoMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void onServing(LoadedVersion v) {
    Provenance p = v.provenance();
    gauges.put(
        v,
        Gauge.builder("tensorgate.model.info", () -> 1)
            .description("Model versions in service, with the digest and signer of their files")
            .tag("model", v.name())
            .tag("version", v.versionString())
            .tag("digest", p.digest())
            .tag("signer", p.signer())
            .register(registry));
  }

  @Override
  public void onRetired(LoadedVersion v) {
    Gauge g = gauges.remove(v);
    if (g != null) {
      registry.remove(g);
    }
  }
}
