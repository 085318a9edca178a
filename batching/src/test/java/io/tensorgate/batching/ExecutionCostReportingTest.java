package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ExecutionTimestamps;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an execution costs: the CPU time of the instance worker threads (read from the scheduler,
 * not per execution), and the device time the backend reported, for shadow executions too.
 */
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

  /** Remembers the device time and batch size of the one execution it expects. */
  private static final class CostListener implements BatchListener {
    final AtomicLong device = new AtomicLong(-1);
    final AtomicLong mirroredBatch = new AtomicLong(-1);
    final AtomicLong mirroredDevice = new AtomicLong(-1);
    final CountDownLatch executed = new CountDownLatch(1);

    @Override
    public void onBatchExecuted(int batchSize, ExecutionTimestamps ts, boolean success) {}

    @Override
    public void onBatchExecuted(
        int batchSize, ExecutionTimestamps ts, boolean success, long deviceNanos) {
      device.set(deviceNanos);
      executed.countDown();
    }

    @Override
    public void onMirroredBatchExecuted(int batchSize, boolean success, long deviceNanos) {
      mirroredBatch.set(batchSize);
      mirroredDevice.set(deviceNanos);
      executed.countDown();
    }
  }

  private CostListener runOne(FakeInstance instance, boolean mirrored) throws Exception {
    CostListener listener = new CostListener();
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("cost:1").maxBatchSize(8).build(), List.of(instance), listener);
    scheduler.submit(Requests.fp32("r", responses, 1f, 2f).mirrored(mirrored).build());
    assertThat(listener.executed.await(10, TimeUnit.SECONDS)).isTrue();
    return listener;
  }

  @Test
  void shouldCountTheCpuTimeTheWorkersSpentExecuting() throws Exception {
    runOne(new FakeInstance("i0").burnCpu(FIVE_MS), false);

    assertThat(scheduler.workerCpuTime().getAsLong()).isBetween(FIVE_MS, 10 * FIVE_MS);
  }

  @Test
  void shouldCountTheCpuTimeOfInlineExecutions() throws Exception {
    CostListener listener = new CostListener();
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("cost:1").maxBatchSize(8).inlineExecution(true).build(),
            List.of(new FakeInstance("i0").burnCpu(FIVE_MS)),
            listener);

    // Inline: executed on this thread, whose clock no worker holds, before submit returns.
    scheduler.submit(Requests.fp32("r", responses, 1f, 2f).build());

    assertThat(listener.executed.getCount()).isZero();
    assertThat(scheduler.workerCpuTime().getAsLong()).isBetween(FIVE_MS, 10 * FIVE_MS);
  }

  @Test
  void shouldKeepCountingTheCpuTimeOfWorkersThatEnded() throws Exception {
    runOne(new FakeInstance("i0").burnCpu(FIVE_MS), false);
    LongSupplier cpu = scheduler.workerCpuTime();
    long before = cpu.getAsLong();

    scheduler.close();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);

    assertThat(cpu.getAsLong()).isGreaterThanOrEqualTo(before).isGreaterThanOrEqualTo(FIVE_MS);
  }

  @Test
  void shouldCountNoCpuTimeBeforeAnyExecution() {
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("cost:1").maxBatchSize(8).build(),
            List.of(new FakeInstance("i0")),
            BatchListener.NONE);

    // Parked workers spend next to nothing: well under the millisecond a single execution takes.
    assertThat(scheduler.workerCpuTime().getAsLong()).isLessThan(FIVE_MS);
  }

  @Test
  void shouldPassOnTheDeviceTimeTheBackendReported() throws Exception {
    CostListener l = runOne(new FakeInstance("i0").deviceTime(1234), false);

    assertThat(l.device.get()).isEqualTo(1234);
  }

  @Test
  void shouldReportShadowExecutionsSeparately() throws Exception {
    CostListener l = runOne(new FakeInstance("i0").deviceTime(99), true);

    assertThat(l.mirroredBatch.get()).isEqualTo(1);
    assertThat(l.mirroredDevice.get()).isEqualTo(99);
    assertThat(l.device.get()).isEqualTo(-1);
  }
}
