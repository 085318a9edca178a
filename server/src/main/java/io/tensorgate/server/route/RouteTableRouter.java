package io.tensorgate.server.route;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Routes by the models' route tables: a version number is pinned, a label names its version, an
 * empty version takes the default route (the stable version, or the canary by its weight). A model
 * without a table routes as Triton does: the named version, or the highest READY one. The tables
 * are one immutable map behind a volatile reference: a request sees the tables before a change or
 * after it.
 */
final class RouteTableRouter implements VersionRouter {
  private final ModelRegistry registry;
  private volatile Map<String, ModelRoute> routes = Map.of();

  RouteTableRouter(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public RouteDecision route(String model, String version, String routingKey)
      throws InferenceException {
    ModelRoute r = routes.get(model);
    if (r == null) {
      return new RouteDecision(
          registry.resolve(model, version), version.isEmpty() ? "default" : "pinned");
    }
    if (version.isEmpty()) {
      if (r.split != null && r.split.toCanary(routingKey)) {
        LoadedVersion v = ready(model, r.canary);
        if (v != null) {
          r.canaryCounter.increment();
          return new RouteDecision(v, "canary");
        }
        // A canary that left service sends its share back to the stable version.
      }
      if (r.stable > 0) {
        LoadedVersion v = ready(model, r.stable);
        if (v == null) {
          // Unloaded or not ready: the registry's lookup answers with Triton's code and message.
          v = registry.resolve(model, Long.toString(r.stable));
        }
        if (r.stableCounter != null) {
          r.stableCounter.increment();
        }
        return new RouteDecision(v, r.split != null ? "stable" : "default");
      }
      return new RouteDecision(registry.resolve(model, version), "default");
    }
    char first = version.charAt(0);
    if ((first >= '0' && first <= '9') || first == '-' || first == '+') {
      return new RouteDecision(registry.resolve(model, version), "pinned");
    }
    Long labelled = r.labels.get(version);
    if (labelled == null) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "Request for model '"
              + model
              + "': '"
              + version
              + "' is neither a version number nor one of its labels "
              + r.labels.keySet());
    }
    LoadedVersion v = ready(model, labelled);
    // Not ready any more: the registry's own lookup says why, with Triton's code and message.
    return new RouteDecision(
        v != null ? v : registry.resolve(model, Long.toString(labelled)), "label");
  }

  private LoadedVersion ready(String model, long version) {
    ModelRegistry.ServedModel m = registry.get(model);
    return m == null ? null : m.ready().get(version);
  }

  /** The model's compiled route, or {@code null}. */
  ModelRoute get(String model) {
    return routes.get(model);
  }

  Map<String, ModelRoute> all() {
    return routes;
  }

  /** Installs (or with {@code null} removes) one model's route; writers serialize here. */
  synchronized void put(String model, ModelRoute route) {
    Map<String, ModelRoute> next = new HashMap<>(routes);
    if (route == null) {
      next.remove(model);
    } else {
      next.put(model, route);
    }
    routes = Map.copyOf(next);
  }
}
