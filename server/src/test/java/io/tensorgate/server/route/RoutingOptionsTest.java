package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.server.cost.CostPrices;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoutingOptionsTest {
  @Test
  void shouldKeepEverySettingWhenChained() {
    CostPrices prices = new CostPrices(2, 3);

    RoutingOptions o =
        new RoutingOptions()
            .rolloutTick(Duration.ofMillis(5))
            .shadowQueue(7)
            .shadowThreads(2)
            .shadowMaxInFlight(1)
            .costPrices(prices);

    assertThat(o.rolloutTick).isEqualTo(Duration.ofMillis(5));
    assertThat(o.shadowQueue).isEqualTo(7);
    assertThat(o.shadowThreads).isEqualTo(2);
    assertThat(o.shadowMaxInFlight).isEqualTo(1);
    assertThat(o.costPrices).isSameAs(prices);
  }

  @Test
  void shouldRefuseACountBelowOneWhenSet() {
    RoutingOptions o = new RoutingOptions();

    assertThatThrownBy(() -> o.shadowQueue(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shadowQueue must be at least 1, got 0");
    assertThatThrownBy(() -> o.shadowThreads(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> o.shadowMaxInFlight(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(o.shadowQueue).isEqualTo(1024);
  }
}
