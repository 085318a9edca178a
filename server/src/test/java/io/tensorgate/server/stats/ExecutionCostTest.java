package io.tensorgate.server.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Totals and the sliding window of execution cost (a 10 s window: marks every second). */
class ExecutionCostTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(SECOND);
  private final AtomicLong threadCpu = new AtomicLong();
  private final ExecutionCost cost = new ExecutionCost(now::get, 10 * SECOND);

  /** An execution that spent {@code cpu} nanoseconds on the worker thread. */
  private void execute(int batchSize, boolean success, long cpu, long device) {
    threadCpu.addAndGet(cpu);
    cost.record(batchSize, success, device);
  }

  @Test
  void shouldCountInferencesOfSuccessfulExecutionsAndTimeOfAll() {
    cost.addCpuSource(threadCpu::get);
    execute(4, true, 100, 10);
    execute(2, false, 50, 5);

    assertThat(cost.inferences()).isEqualTo(4);
    assertThat(cost.cpuNanos()).isEqualTo(150);
    assertThat(cost.deviceNanos()).isEqualTo(15);
    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(150, 15, 4));
  }

  @Test
  void shouldForgetExecutionsOlderThanTheWindow() {
    cost.addCpuSource(threadCpu::get);
    execute(1, true, 100, 0);
    now.addAndGet(6 * SECOND);
    execute(1, true, 300, 0); // marks its tenth once counted: it belongs to the older windows
    execute(1, true, 500, 0);
    now.addAndGet(6 * SECOND);

    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(500, 0, 1));
    assertThat(cost.cpuNanos()).isEqualTo(900);
    assertThat(cost.inferences()).isEqualTo(3);
  }

  @Test
  void shouldCountAWindowThatSpansIdleTenths() {
    cost.addCpuSource(threadCpu::get);
    execute(2, true, 100, 0);
    now.addAndGet(3 * SECOND);
    cost.window();
    now.addAndGet(3 * SECOND);
    execute(3, true, 200, 0);
    now.addAndGet(3 * SECOND);

    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(300, 0, 5));
  }

  @Test
  void shouldAddTheCpuTimeOfEverySource() {
    AtomicLong earlier = new AtomicLong(700);
    cost.addCpuSource(earlier::get);
    cost.addCpuSource(threadCpu::get);
    execute(1, true, 50, 0);

    assertThat(cost.cpuNanos()).isEqualTo(750);
  }

  @Test
  void shouldCountNoCpuTimeWithoutASource() {
    execute(1, true, 50, 0);

    assertThat(cost.cpuNanos()).isZero();
    assertThat(cost.window()).isEqualTo(new ExecutionCost.Window(0, 0, 1));
  }
}
