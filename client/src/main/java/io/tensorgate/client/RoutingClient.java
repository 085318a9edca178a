package io.tensorgate.client;

import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.Shadow;
import java.util.List;

/**
 * Tensorgate's routing admin API ({@code tensorgate.admin.v1.RoutingService}): version labels, a
 * weighted canary split, shadow traffic, rollouts and the events they leave. Every change answers
 * the model's routing as it is afterwards. Off loopback these calls need an admin token (see {@link
 * TensorgateClientBuilder#bearerToken}). Triton servers do not have this service (UNIMPLEMENTED).
 */
public interface RoutingClient {
  /** The model's routing, rollout state and divergence figures. */
  GetRoutingResponse get(String model);

  /** Replaces the model's whole routing; {@code reason} goes into the event log. */
  GetRoutingResponse set(String model, ModelRouting routing, String reason);

  /** Points a label (e.g. {@code "stable"}) at a version. */
  GetRoutingResponse setLabel(String model, String label, long version);

  /** Sends {@code weightPercent} (0-100) of the default route to {@code version}; 0 removes it. */
  GetRoutingResponse setCanary(String model, long version, double weightPercent);

  /** Mirrors a fraction of the model's traffic to a shadow version (or another model). */
  GetRoutingResponse setShadow(String model, Shadow shadow);

  /** Makes the canary the stable version. */
  GetRoutingResponse promote(String model);

  /** Takes the canary out of the route; {@code reason} goes into the event log. */
  GetRoutingResponse rollback(String model, String reason);

  /** The model's most recent routing events, newest last, at most {@code limit} (0: all kept). */
  List<RoutingEvent> events(String model, int limit);
}
