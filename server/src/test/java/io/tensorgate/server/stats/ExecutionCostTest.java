package io.tensorgate.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Totals and the sliding window of execution cost. */
class ExecutionCostTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ExecutionCost cost = new ExecutionCost(now::get, 10_000_000_000L);

  @Test
  void shouldCountInferencesOfSuccessfulExecutionsAndTimeOfAll() {
    cost.record(4, true, 100, 10);
    cost.record(2, false, 50, 5);

    assertThat(cost.inferences()).isEqualTo(4);
    assertThat(cost.cpuNanos()).isEqualTo(150);
    assertThat(cost.deviceNanos()).isEqualTo(15);
    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(150, 15, 4));
  }

  @Test
  void shouldForgetExecutionsOlderThanTheWindow() {
    cost.record(1, true, 100, 0);
    now.addAndGet(6_000_000_000L);
    cost.record(1, true, 300, 0);
    now.addAndGet(6_000_000_000L);

    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(300, 0, 1));
    assertThat(cost.cpuNanos()).isEqualTo(400);
  }
}
