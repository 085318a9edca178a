package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ModelInstance;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests without dynamic batching: FIFO, one per execution, on every instance. */
class InstanceWorkersTest {
  private final Responses responses = new Responses();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private Scheduler start(SchedulerConfig config, ModelInstance... instances) {
    scheduler = Schedulers.create(config, List.of(instances), BatchListener.NONE);
    return scheduler;
  }

  private static SchedulerConfig plain() {
    return SchedulerConfig.builder("plain:1").maxBatchSize(8).build();
  }

  @Test
  void shouldExecuteRequestsOneAtATimeInSubmitOrderWhenDynamicBatchingIsOff() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(plain(), instance);
    for (int i = 0; i < 5; i++) {
      assertThat(scheduler.submit(Requests.fp32("r" + i, responses, i).build())).isNull();
    }
    instance.release();
    responses.awaitAnswers(5);

    assertThat(instance.batches).hasSize(5);
    assertThat(instance.batches).allSatisfy(b -> assertThat(b.size()).isEqualTo(1));
    assertThat(instance.batches.stream().map(b -> Requests.floats(b.input("IN"))[0]))
        .containsExactly(0f, 1f, 2f, 3f, 4f);
    assertThat(responses.orderList()).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void shouldAnswerEachRequestWithItsOwnOutputsWhenExecuted() {
    start(plain(), new FakeInstance("i0"));
    scheduler.submit(Requests.batch("a", responses, 2, 1f, 2f, 3f, 4f).build());
    scheduler.submit(Requests.batch("b", responses, 1, 5f, 6f).build());
    responses.awaitAnswers(2);

    Responses.Outcome a = responses.byId.get("a");
    assertThat(a.ok()).isTrue();
    assertThat(a.outputs()).hasSize(1);
    assertThat(a.outputs().get(0).name()).isEqualTo("OUT");
    assertThat(a.outputs().get(0).shape()).containsExactly(2, 2);
    assertThat(Requests.floats(a.outputs().get(0))).containsExactly(1f, 2f, 3f, 4f);
    assertThat(Requests.floats(responses.byId.get("b").outputs().get(0))).containsExactly(5f, 6f);
  }

  @Test
  void shouldRecordDispatchAndExecutionTimesWhenAnswering() {
    start(plain(), new FakeInstance("i0"));
    InferenceRequest request = Requests.fp32("a", responses, 1f).build();
    scheduler.submit(request);
    responses.awaitAnswers(1);

    assertThat(request.dispatchNanos()).isNotZero();
    assertThat(request.executionTimestamps()).isNotNull();
    assertThat(request.executionTimestamps().execStart() - request.dispatchNanos())
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void shouldRunBatchesOnEveryInstanceAtOnceWhenSeveralAreFree() throws Exception {
    FakeInstance first = new FakeInstance("i0").hold();
    FakeInstance second = new FakeInstance("i1").hold();
    start(plain(), first, second);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    scheduler.submit(Requests.fp32("b", responses, 2f).build());

    first.awaitEntered(1);
    second.awaitEntered(1);
    assertThat(first.batches.get(0).thread()).isEqualTo("plain:1-instance-0");
    assertThat(second.batches.get(0).thread()).isEqualTo("plain:1-instance-1");
    first.release();
    second.release();
    responses.awaitAnswers(2);
  }

  @Test
  void shouldFailOnlyThatBatchWhenTheBackendThrows() throws Exception {
    FakeInstance instance = new FakeInstance("i0");
    instance.failWith(new BackendException("out of device memory"));
    start(plain(), instance);
    scheduler.submit(Requests.fp32("bad", responses, 1f).build());
    Responses.Outcome bad = responses.awaitOutcome("bad");
    instance.failWith(null);
    scheduler.submit(Requests.fp32("good", responses, 2f).build());
    Responses.Outcome good = responses.awaitOutcome("good");

    assertThat(bad.error().code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(bad.error().message()).isEqualTo("out of device memory");
    assertThat(good.ok()).isTrue();
  }

  @Test
  void shouldFailTheBatchWithInternalWhenTheBackendThrowsARuntimeException() {
    FakeInstance instance = new FakeInstance("i0");
    instance.failOnceWith(new IllegalStateException("bug in backend"));
    start(plain(), instance);
    scheduler.submit(Requests.fp32("bad", responses, 1f).build());
    scheduler.submit(Requests.fp32("good", responses, 2f).build());
    responses.awaitAnswers(2);

    assertThat(responses.byId.get("bad").error().code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(responses.byId.get("bad").error().message()).isEqualTo("bug in backend");
    assertThat(responses.byId.get("good").ok()).isTrue();
  }

  @Test
  void shouldKeepAnsweringWhenAListenerThrows() {
    start(plain(), new FakeInstance("i0"));
    ResponseListener throwing =
        new ResponseListener() {
          @Override
          public void onSuccess(
              InferenceRequest request, java.util.List<io.tensorgate.backend.Tensor> outputs) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onFailure(
              InferenceRequest request, io.tensorgate.backend.InferenceError error) {
            throw new IllegalStateException("listener bug");
          }
        };
    scheduler.submit(Requests.fp32("throws", throwing, 1f).build());
    scheduler.submit(Requests.fp32("after", responses, 2f).build());

    assertThat(responses.awaitOutcome("after").ok()).isTrue();
    assertThat(((DisruptorScheduler) scheduler).listenerFailures()).isEqualTo(1);
    Wait.until(() -> scheduler.pendingCount() == 0);
  }

  /** A listener whose every answer throws {@code error}, as a fault in unsafe memory does. */
  private static ResponseListener throwing(Error error) {
    return new ResponseListener() {
      @Override
      public void onSuccess(InferenceRequest request, List<io.tensorgate.backend.Tensor> outputs) {
        throw error;
      }

      @Override
      public void onFailure(InferenceRequest request, io.tensorgate.backend.InferenceError e) {
        throw error;
      }
    };
  }

  @Test
  void shouldKeepTheInstanceInServiceWhenAListenerThrowsAnError() {
    start(plain(), new FakeInstance("i0"));
    scheduler.submit(
        Requests.fp32(
                "faults",
                throwing(new InternalError("a fault occurred in a recent unsafe memory access")),
                1f)
            .build());
    scheduler.submit(Requests.fp32("after", responses, 2f).build());

    assertThat(responses.awaitOutcome("after").ok()).isTrue();
    assertThat(scheduler.failures()).isEqualTo(1);
    assertThat(scheduler.liveInstances()).isEqualTo(1);
    Wait.until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void shouldAnswerEveryRequestOfTheBatchWhenOneListenerRunsOutOfMemory() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("batched:1").maxBatchSize(8).dynamicBatching(true).build(),
            List.of(instance),
            BatchListener.NONE);
    scheduler.submit(Requests.fp32("first", responses, 0f).build());
    instance.awaitEntered(1);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    scheduler.submit(Requests.fp32("oom", throwing(new OutOfMemoryError("test")), 2f).build());
    scheduler.submit(Requests.fp32("b", responses, 3f).build());
    instance.release();

    responses.awaitAnswers(3);
    assertThat(responses.byId.get("a").ok()).isTrue();
    assertThat(responses.byId.get("b").ok()).isTrue();
    Wait.until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void shouldAnswerAndKeepTheInstanceWhenTheBatchListenerThrowsAnError() {
    scheduler =
        Schedulers.create(
            plain(),
            List.of(new FakeInstance("i0")),
            (size, ts, ok) -> {
              throw new OutOfMemoryError("test");
            });
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    scheduler.submit(Requests.fp32("b", responses, 2f).build());

    responses.awaitAnswers(2);
    assertThat(responses.byId.get("a").ok()).isTrue();
    assertThat(responses.byId.get("b").ok()).isTrue();
    assertThat(scheduler.failures()).isEqualTo(2);
  }

  @Test
  void shouldCallTheBatchListenerOncePerExecutionWhenBatchesRun() {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger();
    FakeInstance instance = new FakeInstance("i0");
    instance.failOnceWith(new IllegalStateException("boom"));
    scheduler =
        Schedulers.create(
            plain(),
            List.of(instance),
            (size, ts, ok) -> {
              calls.incrementAndGet();
              if (!ok) {
                failures.incrementAndGet();
              }
            });
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    scheduler.submit(Requests.fp32("b", responses, 1f).build());
    responses.awaitAnswers(2);

    assertThat(calls.get()).isEqualTo(2);
    assertThat(failures.get()).isEqualTo(1);
  }

  @Test
  void shouldNotReportExecutionsToTheBatchListenerWhenTheirRequestsAreMirrored() {
    java.util.List<Integer> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    scheduler =
        Schedulers.create(
            plain(), List.of(new FakeInstance("i0")), (size, ts, ok) -> reported.add(size));
    scheduler.submit(Requests.batch("client", responses, 2, 1f, 2f).build());
    scheduler.submit(Requests.batch("mirror", responses, 3, 1f, 2f, 3f).mirrored(true).build());
    scheduler.submit(Requests.batch("client2", responses, 1, 1f).build());
    responses.awaitAnswers(3);

    assertThat(responses.byId.get("mirror").ok()).isTrue();
    assertThat(reported).containsExactly(2, 1);
  }

  @Test
  void shouldReportQueueDepthAndPendingWhileTheInstanceIsBusy() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(plain(), instance);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    instance.awaitEntered(1);
    scheduler.submit(Requests.fp32("b", responses, 1f).build());
    scheduler.submit(Requests.fp32("c", responses, 1f).build());

    assertThat(scheduler.pendingCount()).isEqualTo(3);
    assertThat(scheduler.queueDepth()).isEqualTo(2);
    instance.release();
    responses.awaitAnswers(3);
    Wait.until(() -> scheduler.pendingCount() == 0);
    assertThat(scheduler.queueDepth()).isZero();
  }

  @Test
  void shouldRunQueuedRequestsAndRefuseNewOnesWhenShutDown() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(plain(), instance);
    scheduler.submit(Requests.fp32("a", responses, 1f).build());
    scheduler.submit(Requests.fp32("b", responses, 1f).build());
    instance.awaitEntered(1);
    scheduler.shutdown();

    io.tensorgate.backend.InferenceError refused =
        scheduler.submit(Requests.fp32("late", responses, 1f).build());
    assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(refused.message())
        .isEqualTo(
            "Server is stopping, scheduler for model 'plain' has stopped accepting new inference"
                + " requests");
    assertThat(scheduler.awaitTermination(0, TimeUnit.MILLISECONDS)).isFalse();
    instance.release();

    assertThat(scheduler.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(responses.byId.get("a").ok()).isTrue();
    assertThat(responses.byId.get("b").ok()).isTrue();
    assertThat(responses.byId).doesNotContainKey("late");
  }

  @Test
  void shouldAnswerQueuedRequestsUnavailableWhenClosed() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    start(plain(), instance);
    scheduler.submit(Requests.fp32("running", responses, 1f).build());
    instance.awaitEntered(1);
    scheduler.submit(Requests.fp32("queued", responses, 1f).build());

    Thread closer = new Thread(scheduler::close);
    closer.start();
    Responses.Outcome queued = responses.awaitOutcome("queued");
    instance.release();
    closer.join(20_000);

    assertThat(queued.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(responses.awaitOutcome("running").ok()).isTrue();
    assertThat(scheduler.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(instance.executions.get()).isEqualTo(1);
  }

  @Test
  void shouldPassTheInputShapeUnchangedWhenTheModelDoesNotBatch() {
    FakeInstance instance = new FakeInstance("i0");
    start(SchedulerConfig.builder("nobatch:1").build(), instance);
    scheduler.submit(
        InferenceRequest.builder()
            .id("a")
            .inputs(List.of(Requests.fp32Tensor("IN", 2, new float[] {1, 2, 3, 4}, false)))
            .requestedOutputs(List.of("OUT"))
            .listener(responses)
            .build());

    assertThat(responses.awaitOutcome("a").ok()).isTrue();
    assertThat(instance.batches.get(0).input("IN").shape()).containsExactly(2, 2);
  }
}
