package io.tensorgate.server.route;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.server.audit.AuditTrail;
import io.tensorgate.server.cost.CostPrices;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.repository.TestVersions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The routing graph as {@link Routing} wires it, over an in-memory registry serving versions 1, 2
 * and 3 of model 'm' and a repository folder; the rollout controller reads {@link #nanos}.
 */
final class RoutingGraph {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final ModelRegistry registry =
      TestVersions.registry(
          TestVersions.version(RouteValidatorTest.CONFIG, 1),
          TestVersions.version(RouteValidatorTest.CONFIG, 2),
          TestVersions.version(RouteValidatorTest.CONFIG, 3));
  final RouteTableRouter router = new RouteTableRouter(registry);
  final VersionWindows windows = new VersionWindows(router);
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final RouteMetrics metrics = new RouteMetrics(meters);
  final DivergenceTable divergence = new DivergenceTable(router, metrics, Clock.systemUTC());
  final RoutingControl control;
  final RolloutController rollouts;
  final RoutingService service;

  RoutingGraph(Path repository) {
    control =
        new RoutingControl(
            registry,
            router,
            metrics,
            divergence,
            new RoutingFiles(repository),
            new RoutingEvents(Clock.systemUTC()));
    VersionCosts costs = new VersionCosts(registry, CostPrices.NONE);
    rollouts =
        new RolloutController(
            control, router, windows, divergence, costs, AuditTrail.NONE, nanos::get);
    service = new RoutingService(control, rollouts, divergence, costs, router);
  }
}
