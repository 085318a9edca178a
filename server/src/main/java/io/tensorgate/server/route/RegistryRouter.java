package io.tensorgate.server.route;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.Objects;

/** Triton's routing: the named version, or the highest READY one. */
public final class RegistryRouter implements VersionRouter {
  private final ModelRegistry registry;

  public RegistryRouter(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public RouteDecision route(String model, String version, String routingKey)
      throws InferenceException {
    return new RouteDecision(
        registry.resolve(model, version), version.isEmpty() ? "default" : "pinned");
  }
}
