package io.tensorgate.server.route;

import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires per-version routing into a server: the router for the request path, the observers that feed
 * rollout windows and shadow traffic, the rollout and routing-file loops, and the admin service.
 * Routing files of the models already served are applied before this returns.
 */
public final class Routing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);
  private static final String LOOP_THREAD = "tensorgate-routing";

  private final ModelRegistry registry;
  private final RoutingRouter router;
  private final RoutingControl control;
  private final VersionWindows windows;
  private final DivergenceTable divergence;
  private final ShadowMirror shadows;
  private final RolloutController rollouts;
  private final ScheduledExecutorService loop;
  private final BackgroundThreads threads;
  private final ServerServiceDefinition service;

  private Routing(
      RoutingOptions o,
      ModelRegistry registry,
      Path repository,
      MeterRegistry meters,
      SharedMemoryRegistry shm) {
    this.registry = registry;
    RouteMetrics metrics = new RouteMetrics(meters);
    this.threads = new BackgroundThreads(meters);
    this.router = new RoutingRouter(registry);
    this.divergence = new DivergenceTable(router, metrics, Clock.systemUTC());
    this.control =
        new RoutingControl(
            registry,
            router,
            metrics,
            divergence,
            new RoutingFiles(repository),
            new RoutingEvents(Clock.systemUTC()));
    this.windows = new VersionWindows(router);
    this.shadows =
        new ShadowMirror(
            registry,
            router,
            new RequestDecoder(shm),
            metrics,
            divergence,
            threads,
            o.shadowQueue,
            o.shadowThreads,
            o.shadowMaxInFlight);
    this.rollouts = new RolloutController(control, router, windows, divergence, System::nanoTime);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, LOOP_THREAD);
              t.setDaemon(true);
              return t;
            });
    this.service = new RoutingService(control, rollouts, divergence).bindService();
  }

  /**
   * Starts routing for a server whose start-up models are loaded.
   *
   * @param repository the model repository root, where each model's routing.pbtxt lives
   * @param pollSeconds how often routing files are re-read (poll mode); 0: never
   */
  public static Routing start(
      RoutingOptions o,
      ModelRegistry registry,
      Path repository,
      MeterRegistry meters,
      SharedMemoryRegistry shm,
      long pollSeconds) {
    Routing r = new Routing(o, registry, repository, meters, shm);
    r.reloadFiles();
    registry.addListener(
        new ModelRegistry.VersionListener() {
          @Override
          public void onServing(LoadedVersion v) {
            // Off the loader's thread: it holds the registry's lock.
            r.loop.execute(r.threads.guard(LOOP_THREAD, () -> r.control.reloadFile(v.name())));
          }

          @Override
          public void onRetired(LoadedVersion v) {
            r.divergence.forget(v);
          }
        });
    long tick = Math.max(1, o.rolloutTick.toMillis());
    // Guarded: a periodic task that throws is never run again by its executor.
    r.loop.scheduleWithFixedDelay(
        r.threads.guard(LOOP_THREAD, r::tickSafely), tick, tick, TimeUnit.MILLISECONDS);
    if (pollSeconds > 0) {
      r.loop.scheduleWithFixedDelay(
          r.threads.guard(LOOP_THREAD, r::reloadFiles), pollSeconds, pollSeconds, TimeUnit.SECONDS);
    }
    return r;
  }

  private void tickSafely() {
    try {
      rollouts.tick();
    } catch (RuntimeException e) {
      log.warn("rollout evaluation failed", e);
    }
  }

  /** Applies every served model's routing file that changed since it was last read. */
  public void reloadFiles() {
    for (ModelRegistry.ServedModel m : registry.all()) {
      control.reloadFile(m.name());
    }
  }

  public VersionRouter router() {
    return router;
  }

  /** The given observers followed by routing's own (rollout windows, shadow mirror). */
  public List<RequestObserver> observers(List<RequestObserver> others) {
    List<RequestObserver> all = new ArrayList<>(others);
    all.add(windows);
    all.add(shadows);
    return List.copyOf(all);
  }

  /**
   * The admin RoutingService. Access is the server's to guard: it belongs to the {@code admin}
   * protocol group, which needs a token off loopback (see the security package).
   */
  public ServerServiceDefinition service() {
    return service;
  }

  @Override
  public void close() {
    loop.shutdownNow();
    shadows.close();
  }
}
