package io.tensorgate.server.route;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusException;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write path for routes: the admin API, the rollout controller and the routing files all
 * change a model's routing here. A change is validated, written to the model's routing file, then
 * swapped in atomically and recorded as an event; a refused change moves nothing.
 */
final class RoutingControl {
  private static final Logger log = LoggerFactory.getLogger(RoutingControl.class);

  private final ModelRegistry registry;
  private final RouteTableRouter router;
  private final RouteMetrics metrics;
  private final DivergenceTable divergence;
  private final RoutingFiles files;
  private final RoutingEvents events;
  private final RouteValidator validator;

  // The file text each model's routes came from or were written as.
  @GuardedBy("this")
  private final Map<String, String> fileTexts = new HashMap<>();

  // The last canary epoch handed out (see ModelRoute.canaryEpoch).
  @GuardedBy("this")
  private long canaryEpochs;

  RoutingControl(
      ModelRegistry registry,
      RouteTableRouter router,
      RouteMetrics metrics,
      DivergenceTable divergence,
      RoutingFiles files,
      RoutingEvents events) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.router = Objects.requireNonNull(router, "router");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.divergence = Objects.requireNonNull(divergence, "divergence");
    this.files = Objects.requireNonNull(files, "files");
    this.events = Objects.requireNonNull(events, "events");
    this.validator = new RouteValidator(registry);
  }

  RoutingEvents events() {
    return events;
  }

  /** The model's routing now (empty when it has none). */
  ModelRouting current(String model) throws StatusException {
    if (registry.get(model) == null) {
      throw RouteValidator.status(Status.NOT_FOUND, "model '" + model + "' is not served");
    }
    ModelRoute r = router.get(model);
    return r == null ? ModelRouting.getDefaultInstance() : r.config;
  }

  /**
   * Applies a change to the model's routing.
   *
   * @param kind the event's kind
   * @param reason the event's reason
   * @return the routing now in force
   * @throws StatusException when the result is invalid or cannot be persisted; nothing changed
   */
  synchronized ModelRouting apply(
      String model, UnaryOperator<ModelRouting> change, String kind, String reason)
      throws StatusException {
    ModelRouting next = validator.validate(model, change.apply(current(model)));
    try {
      fileTexts.put(model, files.write(model, next));
    } catch (IOException e) {
      log.warn("cannot write {}: {}", files.path(model), e.toString());
      // The client learns what failed, not where the server keeps its files.
      throw RouteValidator.status(
          Status.UNAVAILABLE,
          "cannot write the routing file of model '" + model + "'; see the server log");
    }
    ModelRoute installed = install(model, next);
    events.add(model, kind, reason, next);
    retune(installed, next);
    return next;
  }

  /**
   * Reads the model's routing file when it changed since it was last read or written, and applies
   * it. A file that does not parse or validate is refused (an event says why) and the routes stay.
   */
  synchronized void reloadFile(String model) {
    String text;
    try {
      text = files.readText(model);
    } catch (IOException e) {
      log.warn("cannot read {}: {}", files.path(model), e.getMessage());
      return;
    }
    if (Objects.equals(text, fileTexts.get(model))
        || (text == null && !fileTexts.containsKey(model))) {
      return;
    }
    fileTexts.put(model, text);
    try {
      ModelRouting next =
          validator.validate(
              model, text == null ? ModelRouting.getDefaultInstance() : RoutingFiles.parse(text));
      ModelRoute installed = install(model, next);
      events.add(
          model, "file", text == null ? "routing file removed" : "read " + files.path(model), next);
      retune(installed, next);
    } catch (TextFormat.ParseException e) {
      events.add(model, "refused", "routing file does not parse: " + e.getMessage(), null);
    } catch (StatusException e) {
      events.add(model, "refused", "routing file: " + e.getStatus().getDescription(), null);
    }
  }

  @GuardedBy("this")
  private ModelRoute install(String model, ModelRouting routing) {
    ModelRoute before = router.get(model);
    long canary = routing.getCanary().getVersion();
    long epoch = before != null && before.canary == canary ? before.canaryEpoch : ++canaryEpochs;
    ModelRoute route =
        routing.equals(ModelRouting.getDefaultInstance())
            ? null
            : new ModelRoute(model, routing, epoch, metrics);
    router.put(model, route);
    if (route != null && route.shadow != null) {
      metrics.registerShadow(model, route.shadow.versionString(), primaries(route));
    }
    return route;
  }

  /** The versions the default route answers with, whose answers the shadow compares. */
  private List<Long> primaries(ModelRoute route) {
    List<Long> out = new ArrayList<>();
    long stable = route.stable;
    if (stable == 0) {
      ModelRegistry.ServedModel m = registry.get(route.model);
      LoadedVersion latest = m == null ? null : m.latest();
      stable = latest == null ? 0 : latest.version();
    }
    for (long v : new long[] {stable, route.canary}) {
      // The shadow's own answers are not mirrored to itself.
      if (v > 0 && !(v == route.shadow.version() && route.shadow.model().equals(route.model))) {
        out.add(v);
      }
    }
    return out;
  }

  /** Restarts the divergence entries the route's shadow tolerances make incomparable. */
  private void retune(ModelRoute route, ModelRouting routing) {
    if (route == null || route.shadow == null) {
      return;
    }
    ModelRoute.ShadowTarget t = route.shadow;
    List<Long> restarted = divergence.retune(route.model, t);
    if (!restarted.isEmpty()) {
      events.add(
          route.model,
          "divergence",
          String.format(
              Locale.ROOT,
              "divergence of version%s %s against shadow '%s' version %d restarted:"
                  + " tolerances now abs %s, rel %s",
              restarted.size() == 1 ? "" : "s",
              restarted.stream().map(String::valueOf).collect(Collectors.joining(", ")),
              t.model(),
              t.version(),
              t.absTolerance(),
              t.relTolerance()),
          routing);
    }
  }
}
