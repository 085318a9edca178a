package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ExecutionTimestamps;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the workers tell their listener an execution cost: CPU time in execute, device time. */
class ExecutionCostReportingTest {
  private static final long FIVE_MS = TimeUnit.MILLISECONDS.toNanos(5);

  private final Responses responses = new Responses();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  /** Remembers the cost of the one execution it expects. */
  private static final class CostListener implements BatchListener {
    final boolean measure;
    final AtomicLong cpu = new AtomicLong(-1);
    final AtomicLong device = new AtomicLong(-1);
    final CountDownLatch executed = new CountDownLatch(1);

    CostListener(boolean measure) {
      this.measure = measure;
    }

    @Override
    public void onBatchExecuted(int batchSize, ExecutionTimestamps ts, boolean success) {}

    @Override
    public boolean measuresCpuTime() {
      return measure;
    }

    @Override
    public void onBatchExecuted(
        int batchSize, ExecutionTimestamps ts, boolean success, long cpuNanos, long deviceNanos) {
      cpu.set(cpuNanos);
      device.set(deviceNanos);
      executed.countDown();
    }
  }

  private CostListener runOne(FakeInstance instance, boolean measure) throws Exception {
    CostListener listener = new CostListener(measure);
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("cost:1").maxBatchSize(8).build(), List.of(instance), listener);
    scheduler.submit(Requests.fp32("r", responses, 1f).build());
    assertThat(listener.executed.await(10, TimeUnit.SECONDS)).isTrue();
    return listener;
  }

  @Test
  void shouldReportTheCpuTimeOfExecuteWhenTheListenerAsksForIt() throws Exception {
    CostListener l = runOne(new FakeInstance("i0").burnCpu(FIVE_MS), true);

    assertThat(l.cpu.get()).isBetween(FIVE_MS, 10 * FIVE_MS);
  }

  @Test
  void shouldReportNoCpuTimeWhenTheListenerDoesNotAsk() throws Exception {
    CostListener l = runOne(new FakeInstance("i0").burnCpu(FIVE_MS), false);

    assertThat(l.cpu.get()).isZero();
  }

  @Test
  void shouldPassOnTheDeviceTimeTheBackendReported() throws Exception {
    CostListener l = runOne(new FakeInstance("i0").deviceTime(1234), false);

    assertThat(l.device.get()).isEqualTo(1234);
  }
}
