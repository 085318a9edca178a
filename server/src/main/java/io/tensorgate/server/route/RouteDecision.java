package io.tensorgate.server.route;

import io.tensorgate.server.repository.LoadedVersion;
import java.util.Objects;

/**
 * Where a request goes and why.
 *
 * @param version the version that serves it
 * @param reason how it was chosen, for logs and payload records: {@code "default"}, {@code
 *     "pinned"} (the request named the version), or a router's own words (e.g. {@code "canary"})
 */
public record RouteDecision(LoadedVersion version, String reason) {
  public RouteDecision {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(reason, "reason");
  }
}
