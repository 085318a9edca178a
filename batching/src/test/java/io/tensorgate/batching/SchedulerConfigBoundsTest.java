package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings that turn features off with 0, and the values a config hands on. */
class SchedulerConfigBoundsTest {
  @Test
  void shouldTurnTheWatchdogAndTheWaitLimitOffWithZero() {
    SchedulerConfig config =
        Configs.dynamic(4).executionTimeoutNanos(0).maxQueueWaitNanos(0).build();

    assertThat(config.executionTimeoutNanos()).isZero();
    assertThat(config.maxQueueWaitNanos()).isZero();
  }

  @Test
  void shouldRefuseNegativeTimeouts() {
    assertThatThrownBy(() -> Configs.dynamic(4).executionTimeoutNanos(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Configs.dynamic(4).maxQueueWaitNanos(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseAQueueWaitBudgetOrExecutionTimeoutOfZeroWhereOneIsRequired() {
    assertThatThrownBy(() -> new QueueWaitLimit("m:1", new ServiceRate(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExecutionWatchdog(new WorkerPool(List.of()), 0, (index, hung) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldHandOnTheInputsAndQueueDelayItWasBuiltWith() {
    TensorSpec in = new TensorSpec("IN", DataType.FP32, new long[] {3});
    SchedulerConfig config =
        Configs.dynamic(4).inputs(List.of(in)).maxQueueDelayMicros(250).build();

    assertThat(config.inputs()).containsExactly(in);
    assertThat(config.maxQueueDelayMicros()).isEqualTo(250);
  }
}
