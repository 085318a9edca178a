package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ModelInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A batch that executes past the execution timeout fails and its instance is replaced. */
class ExecutionWatchdogTest {
  private final Responses responses = new Responses();
  private final FakeInstance hung = new FakeInstance("i0").hold();
  private final FakeInstance fresh = new FakeInstance("i0-new");
  private final List<Integer> replacedIndexes = new CopyOnWriteArrayList<>();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    hung.release();
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private Scheduler start(long timeoutMillis, ModelInstance... instances) {
    SchedulerConfig config =
        SchedulerConfig.builder("watched:1")
            .maxBatchSize(8)
            .dynamicBatching(true)
            .executionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(timeoutMillis))
            .build();
    scheduler =
        Schedulers.create(
            config,
            List.of(instances),
            BatchListener.NONE,
            (index, instance) -> {
              replacedIndexes.add(index);
              return fresh;
            });
    return scheduler;
  }

  @Test
  void shouldFailTheHungBatchWithInternalWhenItExceedsTheExecutionTimeout() throws Exception {
    start(100, hung);
    assertThat(scheduler.submit(Requests.fp32("a", responses, 1f).build())).isNull();
    hung.awaitEntered(1);

    Responses.Outcome a = responses.awaitOutcome("a");
    assertThat(a.error()).isNotNull();
    assertThat(a.error().code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(a.error().message()).contains("'i0'").contains("execution timeout");
    // The request leaves the count right after its listener ran.
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void shouldRunLaterRequestsOnAReplacementWhenAnInstanceHung() throws Exception {
    start(100, hung);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    hung.awaitEntered(1);
    responses.awaitOutcome("a");

    scheduler.submit(Requests.fp32("b", responses, 2f).build());
    Responses.Outcome b = responses.awaitOutcome("b");

    assertThat(b.error()).isNull();
    assertThat(replacedIndexes).containsExactly(0);
    assertThat(fresh.executions.get()).isEqualTo(1);
    assertThat(hung.completed.get()).isZero();
  }

  private Scheduler startWithoutReplacements(ModelInstance... instances) {
    SchedulerConfig config =
        SchedulerConfig.builder("watched:1")
            .maxBatchSize(8)
            .executionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(100))
            .build();
    scheduler =
        Schedulers.create(
            config,
            List.of(instances),
            BatchListener.NONE,
            (index, instance) -> {
              throw new OutOfMemoryError("test: no memory for a new instance");
            });
    return scheduler;
  }

  @Test
  void shouldAnswerQueuedAndRefuseNewRequestsWhenTheLastInstanceCannotBeReplaced()
      throws Exception {
    startWithoutReplacements(hung);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    hung.awaitEntered(1);
    scheduler.submit(Requests.fp32("queued", responses, 2f).build());

    assertThat(responses.awaitOutcome("a").error().code()).isEqualTo(ErrorCode.INTERNAL);
    Responses.Outcome queued = responses.awaitOutcome("queued");
    assertThat(queued.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(queued.error().message())
        .isEqualTo(
            "model 'watched' has no instance left to run requests: every instance hung and none"
                + " could be replaced; load the model again");
    assertThat(scheduler.liveInstances()).isZero();
    var refused = scheduler.submit(Requests.fp32("later", responses, 3f).build());
    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    Wait.until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void shouldKeepWatchingTheOtherInstancesWhenAReplacementFailsWithAnError() throws Exception {
    FakeInstance other = new FakeInstance("i1").hold();
    try {
      startWithoutReplacements(hung, other);
      scheduler.submit(Requests.fp32("a", responses, 1f).build());
      scheduler.submit(Requests.fp32("b", responses, 2f).build());
      hung.awaitEntered(1);
      other.awaitEntered(1);

      // Both hang: the second is found although making the first one's replacement threw.
      assertThat(responses.awaitOutcome("a").error().code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(responses.awaitOutcome("b").error().code()).isEqualTo(ErrorCode.INTERNAL);
      Wait.until(() -> scheduler.liveInstances() == 0);
    } finally {
      other.release();
    }
  }

  @Test
  void shouldTerminateWhenClosedWhileTheAbandonedThreadIsStillStuck() throws Exception {
    start(100, hung);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    hung.awaitEntered(1);
    responses.awaitOutcome("a");
    scheduler.submit(Requests.fp32("b", responses, 2f).build());
    responses.awaitOutcome("b");

    scheduler.close();

    assertThat(scheduler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(hung.completed.get()).isZero();
  }

  @Test
  void shouldLeaveSlowButFinishingExecutionsAloneWhenWithinTheTimeout() throws Exception {
    FakeInstance slow = new FakeInstance("slow").hold();
    start(60_000, slow);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    slow.awaitEntered(1);
    slow.release();

    assertThat(responses.awaitOutcome("a").error()).isNull();
    assertThat(replacedIndexes).isEmpty();
  }

  @Test
  void shouldWatchASingleInstanceWhenItsModelPreservesOrdering() throws Exception {
    SchedulerConfig config =
        SchedulerConfig.builder("ordered:1")
            .maxBatchSize(8)
            .dynamicBatching(true)
            .preserveOrdering(true)
            .executionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(100))
            .build();
    scheduler =
        Schedulers.create(config, List.of(hung), BatchListener.NONE, (index, instance) -> fresh);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    hung.awaitEntered(1);

    assertThat(responses.awaitOutcome("a").error().code()).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void shouldRunEverySchedulerThreadAsADaemonWhenStarted() throws Exception {
    start(60_000, hung);

    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().startsWith("watched:1-"))
        .extracting(Thread::getName)
        .contains("watched:1-instance-0", "watched:1-batcher", "watched:1-watchdog");
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().startsWith("watched:1-"))
        .allMatch(Thread::isDaemon);
  }
}
