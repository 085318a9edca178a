package io.tensorgate.server.route;

import io.tensorgate.proto.admin.v1.VersionCost;
import io.tensorgate.server.cost.CostPrices;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.stats.ExecutionCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cost figures of a model's versions for GetRouting and the rollout's cost gate, read from each
 * READY version's {@link ExecutionCost} window. Stateless apart from the prices.
 */
final class VersionCosts {
  private final ModelRegistry registry;
  private final CostPrices prices;

  VersionCosts(ModelRegistry registry, CostPrices prices) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.prices = Objects.requireNonNull(prices, "prices");
  }

  CostPrices prices() {
    return prices;
  }

  /** The READY version's window, or {@code null}. */
  ExecutionCost.Window window(String model, long version) {
    LoadedVersion v = ready(model, version);
    return v == null ? null : v.stats().cost().window();
  }

  /** The READY version's manifest digest, or empty. */
  String digest(String model, long version) {
    LoadedVersion v = ready(model, version);
    return v == null ? "" : v.provenance().digest();
  }

  /**
   * The version the default route serves besides the canary: {@code stable}, or when 0 the highest
   * READY version that is not the canary; 0 when there is none.
   */
  long stableOf(String model, long stable, long canary) {
    if (stable > 0) {
      return stable;
    }
    ModelRegistry.ServedModel m = registry.get(model);
    if (m == null) {
      return 0;
    }
    for (Long v : m.ready().descendingKeySet()) {
      if (v != canary) {
        return v;
      }
    }
    return 0;
  }

  /** Canary cost per inference over the stable version's, at the prices (or compute time). */
  double ratio(ExecutionCost.Window canary, ExecutionCost.Window stable) {
    CostPrices p = prices.orUnit();
    double c = p.per1k(canary);
    double s = p.per1k(stable);
    return s > 0 ? c / s : Double.NaN;
  }

  /** Every READY version's figures, with its role in the route. */
  List<VersionCost> figures(String model, ModelRoute route) {
    ModelRegistry.ServedModel m = registry.get(model);
    if (m == null) {
      return List.of();
    }
    long canary = route == null ? 0 : route.canary;
    long stable = stableOf(model, route == null ? 0 : route.stable, canary);
    List<VersionCost> out = new ArrayList<>();
    for (Map.Entry<Long, LoadedVersion> e : m.ready().entrySet()) {
      long v = e.getKey();
      ExecutionCost.Window w = e.getValue().stats().cost().window();
      VersionCost.Builder b =
          VersionCost.newBuilder()
              .setVersion(v)
              .setRole(v == canary ? "canary" : v == stable ? "stable" : "")
              .setInferences(w.inferences())
              .setDigest(e.getValue().provenance().digest());
      if (w.inferences() > 0) {
        b.setCpuSecondsPer1K(CostPrices.cpuSecondsPer1k(w))
            .setGpuSecondsPer1K(CostPrices.gpuSecondsPer1k(w))
            .setCostPer1K(prices.priced() ? prices.per1k(w) : 0);
      }
      out.add(b.build());
    }
    return out;
  }

  private LoadedVersion ready(String model, long version) {
    ModelRegistry.ServedModel m = registry.get(model);
    return m == null ? null : m.ready().get(version);
  }
}
