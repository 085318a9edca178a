package io.tensorgate.server.route;

import io.tensorgate.backend.InferenceException;

/**
 * Chooses the model version that serves a request. Called on request threads for every inference;
 * must be fast, non-blocking and thread-safe.
 */
public interface VersionRouter {
  /**
   * @param model the request's model name
   * @param version the request's {@code model_version} (empty: the model's default route)
   * @param routingKey the caller's routing key (header or request parameter), or {@code null}
   * @return the chosen version, which the caller must still {@code tryAcquire}
   * @throws InferenceException NOT_FOUND / UNAVAILABLE / INVALID_ARGUMENT as Triton answers
   */
  RouteDecision route(String model, String version, String routingKey) throws InferenceException;
}
