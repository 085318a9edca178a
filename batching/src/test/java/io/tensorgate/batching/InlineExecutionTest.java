package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ModelInstance;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inline execution ({@link SchedulerConfig#inlineExecution()}): an idle instance runs a lone
 * request on the submitting thread; anything that has to wait goes to the worker as usual.
 */
class InlineExecutionTest {
  private final Responses responses = new Responses();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private void start(boolean inline, ModelInstance... instances) {
    SchedulerConfig config = Configs.dynamic(8).inlineExecution(inline).build();
    scheduler = Schedulers.create(config, List.of(instances), BatchListener.NONE);
  }

  /** Submits from a thread of its own, named {@code name}; completes when submit returned. */
  private CompletableFuture<Void> submitFrom(String name, InferenceRequest request) {
    CompletableFuture<Void> returned = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              scheduler.submit(request);
              returned.complete(null);
            },
            name);
    t.setDaemon(true);
    t.start();
    return returned;
  }

  @Test
  void shouldExecuteAndAnswerOnTheSubmittingThreadWhenAnInstanceIsIdle() {
    FakeInstance instance = new FakeInstance("i0");
    start(true, instance);
    String caller = Thread.currentThread().getName();

    assertThat(scheduler.submit(Requests.fp32("a", responses, 1f).build())).isNull();

    // Answered before submit returned, by this thread: no hand-off.
    assertThat(responses.answers.get()).isEqualTo(1);
    assertThat(responses.byId.get("a").thread()).isEqualTo(caller);
    assertThat(instance.batches).singleElement().extracting(b -> b.thread()).isEqualTo(caller);
    assertThat(Requests.floats(responses.byId.get("a").outputs().get(0))).containsExactly(1f);
  }

  @Test
  void shouldHandTheRequestToTheInstanceWorkerWhenInlineExecutionIsOff() {
    FakeInstance instance = new FakeInstance("i0");
    start(false, instance);

    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    responses.awaitAnswers(1);

    assertThat(instance.batches)
        .singleElement()
        .extracting(b -> b.thread())
        .isEqualTo("dyn:1-instance-0");
  }

  @Test
  void shouldQueueForTheWorkerAndReturnAtOnceWhenTheOnlyInstanceIsBusy() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(true, instance);
    CompletableFuture<Void> first = submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    instance.awaitEntered(1);

    // The instance runs conn-a's request inline; this one must not wait for it.
    assertThat(scheduler.submit(Requests.fp32("b", responses, 2f).build())).isNull();
    assertThat(responses.answers.get()).isZero();
    instance.release();
    responses.awaitAnswers(2);
    first.get(Wait.BOUND.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(instance.batches)
        .extracting(b -> b.thread())
        .containsExactly("conn-a", "dyn:1-instance-0");
  }

  @Test
  void shouldBatchRequestsThatArriveDuringAnInlineExecutionOnTheWorker() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(true, instance);
    submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    instance.awaitEntered(1);
    for (int i = 0; i < 3; i++) {
      scheduler.submit(Requests.fp32("b" + i, responses, 10f + i).build());
    }
    instance.release();
    responses.awaitAnswers(4);

    assertThat(instance.batches).extracting(b -> b.size()).containsExactly(1, 3);
    assertThat(instance.batches.get(1).thread()).isEqualTo("dyn:1-instance-0");
  }

  @Test
  void shouldNeverRunAnotherConnectionsRequestOnTheCallingThread() throws Exception {
    // Fairness: a caller's thread runs at most its own request, whoever else is waiting.
    FakeInstance instance = new FakeInstance("i0").hold();
    start(true, instance);
    CompletableFuture<Void> aReturned =
        submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    instance.awaitEntered(1);
    CompletableFuture<Void> bReturned =
        submitFrom("conn-b", Requests.fp32("b", responses, 2f).build());
    bReturned.get(Wait.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    instance.release();
    responses.awaitAnswers(2);
    aReturned.get(Wait.BOUND.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(responses.byId.get("a").thread()).isEqualTo("conn-a");
    assertThat(responses.byId.get("b").thread()).isEqualTo("dyn:1-instance-0");
  }

  @Test
  void shouldRunTwoCallersInlineAtOnceWhenTwoInstancesAreIdle() throws Exception {
    FakeInstance i0 = new FakeInstance("i0").hold();
    FakeInstance i1 = new FakeInstance("i1").hold();
    start(true, i0, i1);
    submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    submitFrom("conn-b", Requests.fp32("b", responses, 2f).build());
    i0.awaitEntered(1);
    i1.awaitEntered(1);
    i0.release();
    i1.release();
    responses.awaitAnswers(2);

    assertThat(List.of(i0.batches.get(0).thread(), i1.batches.get(0).thread()))
        .containsExactlyInAnyOrder("conn-a", "conn-b");
  }

  @Test
  void shouldNotFinishClosingBeforeAnInlineExecutionWasAnswered() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(true, instance);
    submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    instance.awaitEntered(1);
    AtomicInteger completedWhenClosed = new AtomicInteger(-1);
    Thread closer =
        new Thread(
            () -> {
              scheduler.close();
              completedWhenClosed.set(instance.completed.get());
            },
            "closer");
    closer.start();
    // The inline request counts as dispatched, so close() waits for its answer as for any other;
    // were it not counted, close() would return at once, long before this.
    closer.join(500);
    instance.release();
    closer.join(Wait.BOUND.toMillis());

    assertThat(closer.isAlive()).isFalse();
    assertThat(completedWhenClosed.get()).isEqualTo(1);
    scheduler = null;
  }

  @Test
  void shouldFailAHungInlineExecutionAndServeLaterRequestsOnTheReplacement() throws Exception {
    FakeInstance hung = new FakeInstance("i0").hold();
    FakeInstance fresh = new FakeInstance("i0-new");
    SchedulerConfig config =
        Configs.dynamic(8)
            .inlineExecution(true)
            .executionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(100))
            .build();
    scheduler = Schedulers.create(config, List.of(hung), BatchListener.NONE, (index, old) -> fresh);
    CompletableFuture<Void> aReturned =
        submitFrom("conn-a", Requests.fp32("a", responses, 1f).build());
    hung.awaitEntered(1);

    assertThat(responses.awaitOutcome("a").error().code()).isEqualTo(ErrorCode.INTERNAL);
    scheduler.submit(Requests.fp32("b", responses, 2f).build());
    assertThat(responses.awaitOutcome("b").ok()).isTrue();
    assertThat(fresh.executions.get()).isEqualTo(1);
    // The caller's thread comes back once the hung execution returns, without a second answer.
    hung.release();
    aReturned.get(Wait.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(responses.duplicates.get()).isZero();
  }
}
