package io.tensorgate.server;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tensorgate.server.grpc.ServerReadiness;
import io.tensorgate.server.repository.ModelRepositoryManager;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's readiness, as ServerReady and the gRPC health service report it: serving between
 * start and shutdown and, under Triton's strict readiness, only while every model a load was asked
 * for is available. The health service is pushed a new status whenever a load or unload changes the
 * answer.
 */
final class Readiness implements ServerReadiness {
  private static final Logger log = LoggerFactory.getLogger(Readiness.class);

  /** The health service name of liveness: SERVING from start until shutdown begins. */
  static final String LIVENESS = "liveness";

  private final AtomicBoolean serving = new AtomicBoolean();
  private final boolean strict;
  private final ModelRepositoryManager models;
  private final HealthStatusManager health;
  private final List<String> services;
  // @GuardedBy("this"): the status last pushed to the health service, and whether "not ready"
  // was logged since the server last was ready.
  private Boolean reported;
  private boolean warned;

  /**
   * @param strict Triton's {@code --strict-readiness}
   * @param services the health service names to keep up to date
   */
  Readiness(
      boolean strict,
      ModelRepositoryManager models,
      HealthStatusManager health,
      List<String> services) {
    this.strict = strict;
    this.models = Objects.requireNonNull(models, "models");
    this.health = Objects.requireNonNull(health, "health");
    this.services = List.copyOf(services);
    models.addStateListener(this::refresh);
  }

  @Override
  public boolean serving() {
    return serving.get();
  }

  @Override
  public boolean ready() {
    // Strict, as Triton: not ready while a model failed to load or a loaded version lost every
    // instance it could run requests on.
    return serving.get()
        && (!strict || (models.allModelsAvailable() && models.registry().allServing()));
  }

  /** The server took its port and serves. */
  void start() {
    serving.set(true);
    health.setStatus(LIVENESS, ServingStatus.SERVING);
    refresh();
  }

  /** The server is shutting down: neither ready nor live from now on. */
  void stop() {
    serving.set(false);
    health.setStatus(LIVENESS, ServingStatus.NOT_SERVING);
    refresh();
  }

  /** Pushes the current answer to the health service when it changed. */
  synchronized void refresh() {
    boolean now = ready();
    if (reported != null && reported == now) {
      return;
    }
    if (serving.get() && !now) {
      log.warn(
          "server not ready (--strict-readiness): models not available: {}",
          models.unavailableModels());
      warned = true;
    } else if (warned && now) {
      log.info("server ready: every model is available again");
      warned = false;
    }
    reported = now;
    ServingStatus status = now ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    services.forEach(s -> health.setStatus(s, status));
  }
}
