package io.tensorgate.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ExecutionTimestamps;
import org.junit.jupiter.api.Test;

/** What the executions a version's workers report add to its cost and to its statistics. */
class ModelStatsCostTest {
  private static final ExecutionTimestamps TS = new ExecutionTimestamps(1, 2, 3, 4);

  private final ModelStats stats = new ModelStats();

  @Test
  void shouldCountAnExecutionInTheStatisticsAndTheCost() {
    stats.onBatchExecuted(4, TS, true, 700);

    assertThat(stats.executionCount()).isEqualTo(1);
    assertThat(stats.cost().inferences()).isEqualTo(4);
    assertThat(stats.cost().deviceNanos()).isEqualTo(700);
  }

  @Test
  void shouldCountAShadowExecutionInTheCostOnly() {
    stats.onMirroredBatchExecuted(3, true, 500);

    assertThat(stats.executionCount()).isZero();
    assertThat(stats.cost().inferences()).isEqualTo(3);
    assertThat(stats.cost().deviceNanos()).isEqualTo(500);
  }
}
