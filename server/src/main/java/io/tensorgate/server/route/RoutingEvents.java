package io.tensorgate.server.route;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last routing events of all models, oldest first; bounded, the oldest fall off. */
final class RoutingEvents {
  private static final Logger log = LoggerFactory.getLogger(RoutingEvents.class);
  static final int CAPACITY = 256;

  private final Clock clock;

  @GuardedBy("this")
  private final ArrayDeque<RoutingEvent> events = new ArrayDeque<>();

  RoutingEvents(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void add(String model, String kind, String reason, ModelRouting after) {
    RoutingEvent e =
        RoutingEvent.newBuilder()
            .setTimeUnixMillis(clock.millis())
            .setModelName(model)
            .setKind(kind)
            .setReason(reason)
            .setRouting(after == null ? ModelRouting.getDefaultInstance() : after)
            .build();
    log.info("routing event: model '{}' {}: {}", model, kind, reason);
    synchronized (this) {
      if (events.size() == CAPACITY) {
        events.removeFirst();
      }
      events.addLast(e);
    }
  }

  /**
   * @param model only this model's events; empty for all
   * @param limit the newest this many; 0 for all kept
   */
  synchronized List<RoutingEvent> list(String model, int limit) {
    List<RoutingEvent> out = new ArrayList<>();
    for (RoutingEvent e : events) {
      if (model.isEmpty() || e.getModelName().equals(model)) {
        out.add(e);
      }
    }
    return limit > 0 && out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
  }
}
