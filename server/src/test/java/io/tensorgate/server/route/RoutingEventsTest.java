package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RoutingEventsTest {
  private final RoutingEvents events =
      new RoutingEvents(Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC));

  @Test
  void shouldKeepTheRoutingAfterTheChangeWhenGiven() {
    ModelRouting after = ModelRouting.newBuilder().setStableVersion(4).build();

    events.add("m", "set", "why", after);

    RoutingEvent e = events.list("m", 0).get(0);
    assertThat(e.getRouting()).isEqualTo(after);
    assertThat(e.getTimeUnixMillis()).isEqualTo(1234);
    assertThat(e.getKind()).isEqualTo("set");
    assertThat(e.getReason()).isEqualTo("why");
  }

  @Test
  void shouldRecordAnEmptyRoutingWhenNoneGiven() {
    events.add("m", "refused", "bad file", null);

    assertThat(events.list("m", 0).get(0).getRouting())
        .isEqualTo(ModelRouting.getDefaultInstance());
  }

  @Test
  void shouldListEveryModelWhenNoModelNamed() {
    events.add("a", "set", "1", null);
    events.add("b", "set", "2", null);

    assertThat(events.list("", 0)).extracting(RoutingEvent::getModelName).containsExactly("a", "b");
    assertThat(events.list("b", 0)).extracting(RoutingEvent::getReason).containsExactly("2");
  }

  @Test
  void shouldListTheNewestWhenLimited() {
    events.add("m", "set", "1", null);
    events.add("m", "set", "2", null);
    events.add("m", "set", "3", null);

    assertThat(events.list("m", 2)).extracting(RoutingEvent::getReason).containsExactly("2", "3");
    assertThat(events.list("m", 3)).hasSize(3);
  }
}
