package io.tensorgate.server.route;

import io.tensorgate.server.cost.CostPrices;
import java.time.Duration;
import java.util.Objects;

/** Settings of the routing feature; the defaults suit production. */
public final class RoutingOptions {
  Duration rolloutTick = Duration.ofMillis(100);
  int shadowQueue = 1024;
  int shadowThreads = 1;
  int shadowMaxInFlight = 64;
  CostPrices costPrices = CostPrices.NONE;

  /** How often rollout gates are evaluated (default 100 ms). */
  public RoutingOptions rolloutTick(Duration v) {
    this.rolloutTick = Objects.requireNonNull(v, "rolloutTick");
    return this;
  }

  /** Mirrored requests waiting for the shadow pool before new ones are dropped (default 1024). */
  public RoutingOptions shadowQueue(int v) {
    this.shadowQueue = positive(v, "shadowQueue");
    return this;
  }

  /** Threads that hand mirrors to shadow versions (default 1; they never wait for an answer). */
  public RoutingOptions shadowThreads(int v) {
    this.shadowThreads = positive(v, "shadowThreads");
    return this;
  }

  /** Mirrored requests in a shadow version at once before new ones are dropped (default 64). */
  public RoutingOptions shadowMaxInFlight(int v) {
    this.shadowMaxInFlight = positive(v, "shadowMaxInFlight");
    return this;
  }

  /**
   * Prices for the cost figures of GetRouting and the {@code max_cost_ratio} gate (default none).
   */
  public RoutingOptions costPrices(CostPrices v) {
    this.costPrices = Objects.requireNonNull(v, "costPrices");
    return this;
  }

  private static int positive(int v, String what) {
    if (v < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, got " + v);
    }
    return v;
  }
}
