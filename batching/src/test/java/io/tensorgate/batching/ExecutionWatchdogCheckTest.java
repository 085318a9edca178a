package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link ExecutionWatchdog#check} at a time the test chooses, over a worker thread running a
 * held batch: a batch within the timeout is left alone, one past it is failed and replaced.
 */
class ExecutionWatchdogCheckTest {
  private static final long TIMEOUT = TimeUnit.HOURS.toNanos(1);

  private final Responses responses = new Responses();
  private final List<String> reported = new CopyOnWriteArrayList<>();
  private final FakeInstance instance = new FakeInstance("i0");
  private final BatcherWakeup wakeup = new BatcherWakeup();
  private final RequestAccounting accounting = new RequestAccounting(wakeup, "watched:1");
  private final InstanceWorker worker =
      new InstanceWorker(
          instance,
          new BatchPlan(1, true),
          new BatchAssembler(true, java.util.Set.of(), null, instance),
          new OutputScatter(true),
          null,
          accounting,
          (size, timestamps, success) -> reported.add(size + (success ? " ok" : " failed")),
          wakeup,
          new ServiceRate());
  private final List<Integer> replaced = new CopyOnWriteArrayList<>();
  private final ExecutionWatchdog watchdog =
      new ExecutionWatchdog(
          new WorkerPool(List.of(worker)), TIMEOUT, (index, hung) -> replaced.add(index));
  private final Thread thread = new Thread(worker, "watched-instance-0");

  ExecutionWatchdogCheckTest() {
    worker.deliverThrough(Delivery.IMMEDIATE);
    worker.bind(thread);
    thread.setDaemon(true);
    thread.start();
  }

  @AfterEach
  void stopWorker() throws InterruptedException {
    instance.release();
    worker.stop();
    thread.join(Wait.BOUND.toMillis());
  }

  /** Hands the worker one request and waits until the instance executes it (held). */
  private long runHeldBatch() throws InterruptedException {
    instance.hold();
    accounting.enter();
    assertThat(worker.tryClaim()).isTrue();
    worker.plan.add(Requests.fp32("a", responses, 1f).build());
    accounting.dispatched(1);
    long before = System.nanoTime();
    worker.assign();
    instance.awaitEntered(1);
    return before;
  }

  @Test
  void shouldLeaveARunningBatchAloneWhenItIsWithinTheTimeout() throws Exception {
    long started = runHeldBatch();

    watchdog.check(started + TIMEOUT / 2);
    instance.release();

    assertThat(responses.awaitOutcome("a").ok()).isTrue();
    assertThat(replaced).isEmpty();
    assertThat(worker.abandoned()).isFalse();
  }

  @Test
  void shouldFailAndReplaceARunningBatchWhenItIsPastTheTimeout() throws Exception {
    runHeldBatch();

    watchdog.check(System.nanoTime() + TIMEOUT + 1);

    Responses.Outcome a = responses.awaitOutcome("a");
    assertThat(a.error().code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(a.error().message()).contains("'i0'").contains("within 3600000 ms");
    assertThat(replaced).containsExactly(0);
    assertThat(worker.abandoned()).isTrue();
  }

  @Test
  void shouldReportTheAbandonedBatchAsFailedAndItsInputsAsStillRead() throws Exception {
    runHeldBatch();
    InferenceRequest running = worker.plan.request(0);

    watchdog.check(System.nanoTime() + TIMEOUT + 1);

    assertThat(reported).containsExactly("1 failed");
    assertThat(running.inputsStillRead()).isTrue();
    assertThat(accounting.pendingCount()).isZero();
  }

  @Test
  void shouldReportAFinishedBatchOnceAsSucceeded() throws Exception {
    runHeldBatch();
    InferenceRequest running = worker.plan.request(0);

    instance.release();
    responses.awaitOutcome("a");

    assertThat(reported).containsExactly("1 ok");
    assertThat(running.inputsStillRead()).isFalse();
    assertThat(running.executedBatchSize()).isEqualTo(1);
  }

  @Test
  void shouldAbandonAHungBatchOnlyOnceWhenCheckedAgain() throws Exception {
    runHeldBatch();
    long late = System.nanoTime() + TIMEOUT + 1;
    watchdog.check(late);

    watchdog.check(late + TIMEOUT);

    assertThat(replaced).containsExactly(0);
    assertThat(responses.answers.get()).isEqualTo(1);
  }

  @Test
  void shouldLeaveAnIdleWorkerAloneWhateverTheClockSays() {
    watchdog.check(System.nanoTime() + 10 * TIMEOUT);

    assertThat(replaced).isEmpty();
    assertThat(worker.abandoned()).isFalse();
  }

  @Test
  void shouldNotAnswerTwiceWhenTheAbandonedExecutionReturnsLater() throws Exception {
    runHeldBatch();
    watchdog.check(System.nanoTime() + TIMEOUT + 1);
    responses.awaitOutcome("a");

    instance.release();
    thread.join(Wait.BOUND.toMillis());

    assertThat(thread.isAlive()).isFalse();
    assertThat(instance.closed).isTrue();
    assertThat(responses.answers.get()).isEqualTo(1);
    assertThat(accounting.pendingCount()).isZero();
  }

  @Test
  void shouldEndTheAbandonedThreadWhenTheHungExecutionFailsLater() throws Exception {
    runHeldBatch();
    instance.failOnceWith(new IllegalStateException("failed after the timeout"));
    watchdog.check(System.nanoTime() + TIMEOUT + 1);
    responses.awaitOutcome("a");

    instance.release();
    thread.join(Wait.BOUND.toMillis());

    assertThat(thread.isAlive()).isFalse();
    assertThat(instance.closed).isTrue();
    assertThat(responses.answers.get()).isEqualTo(1);
  }

  @Test
  void shouldCountAFailedCheckAndKeepWatchingWhenAReplacementThrows() throws Exception {
    ExecutionWatchdog failing =
        new ExecutionWatchdog(
            new WorkerPool(List.of(worker)),
            TimeUnit.MILLISECONDS.toNanos(1),
            (index, hung) -> {
              throw new IllegalStateException("replacement bug");
            });
    Thread watching = new Thread(failing, "watchdog");
    failing.bind(watching);
    runHeldBatch();

    watching.start();
    try {
      assertThat(responses.awaitOutcome("a").error().code()).isEqualTo(ErrorCode.INTERNAL);
      Wait.until(() -> failing.failures() == 1);
    } finally {
      failing.stop();
      watching.join(Wait.BOUND.toMillis());
    }
    assertThat(watching.isAlive()).isFalse();
  }
}
