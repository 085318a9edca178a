package io.tensorgate.server.route;

import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusException;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.server.repository.ModelRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
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
  private final RoutingRouter router;
  private final RouteMetrics metrics;
  private final RoutingFiles files;
  private final RoutingEvents events;
  private final RouteValidator validator;
  // Guarded by this: the file text each model's routes came from or were written as.
  private final Map<String, String> fileTexts = new HashMap<>();

  RoutingControl(
      ModelRegistry registry,
      RoutingRouter router,
      RouteMetrics metrics,
      RoutingFiles files,
      RoutingEvents events) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.router = Objects.requireNonNull(router, "router");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
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
    install(model, next);
    events.add(model, kind, reason, next);
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
      install(model, next);
      events.add(
          model, "file", text == null ? "routing file removed" : "read " + files.path(model), next);
    } catch (TextFormat.ParseException e) {
      events.add(model, "refused", "routing file does not parse: " + e.getMessage(), null);
    } catch (StatusException e) {
      events.add(model, "refused", "routing file: " + e.getStatus().getDescription(), null);
    }
  }

  private void install(String model, ModelRouting routing) {
    router.put(
        model,
        routing.equals(ModelRouting.getDefaultInstance())
            ? null
            : new ModelRoute(model, routing, metrics));
  }
}
