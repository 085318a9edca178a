package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The sequence batcher's decisions on a clock the test sets: failQueued, the OLDEST strategy's
 * queue-delay hold, slots, idle expiry. Workers never run; the test finishes batches itself.
 */
class SequenceBatcherTest {
  private static final long T0 = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;
  private static final InferenceError CLOSED = new InferenceError(ErrorCode.UNAVAILABLE, "closed");

  private final Responses responses = new Responses();
  private final BatcherWakeup wakeup = new BatcherWakeup();
  private final RequestAccounting accounting = new RequestAccounting(wakeup, "seq:1");
  private final List<InstanceWorker> workers = new ArrayList<>();
  private SequenceRegistry registry;
  private SequenceBatcher batcher;

  private static SchedulerConfig.Builder config(
      int maxBatchSize, SequenceConfig.Strategy strategy, long idleMicros, long delayMicros) {
    SequenceConfig sequence =
        new SequenceConfig(idleMicros, strategy, maxBatchSize, delayMicros, List.of(), List.of());
    return SchedulerConfig.builder("seq:1").maxBatchSize(maxBatchSize).sequence(sequence);
  }

  private static SchedulerConfig direct(int maxBatchSize) {
    return config(maxBatchSize, SequenceConfig.Strategy.DIRECT, 0, 0).build();
  }

  private static SchedulerConfig oldest(int maxBatchSize, long delayMicros) {
    return config(maxBatchSize, SequenceConfig.Strategy.OLDEST, 0, delayMicros).build();
  }

  private void start(SchedulerConfig config, int instances) {
    workers.addAll(
        BatcherRig.idleWorkers(
            config, SequenceBatcher.capacity(config), instances, accounting, wakeup));
    registry = new SequenceRegistry(config, wakeup);
    batcher = new SequenceBatcher(config, registry, new WorkerPool(workers), accounting);
  }

  private InferenceError offer(String id, long corrId, boolean start, boolean end, long now) {
    return offer(step(id, corrId, start, end, now), now);
  }

  private InferenceError offer(InferenceRequest.Builder request, long now) {
    accounting.enter();
    InferenceError refused = registry.offer(request.build(), now);
    if (refused != null) {
      accounting.refused();
    }
    return refused;
  }

  private InferenceRequest.Builder step(
      String id, long corrId, boolean start, boolean end, long arrival) {
    return Requests.fp32(id, responses, 1f)
        .arrivalNanos(arrival)
        .sequence(new InferenceRequest.SequenceControl(corrId, null, start, end));
  }

  /** The ids in worker {@code i}'s plan, "-" for an empty slot. */
  private List<String> plan(int i) {
    BatchPlan plan = workers.get(i).plan;
    List<String> ids = new ArrayList<>();
    for (int j = 0; j < plan.count(); j++) {
      InferenceRequest r = plan.request(j);
      ids.add(r == null ? "-" : r.id());
    }
    return ids;
  }

  private void finish(int i) {
    InstanceWorker w = workers.get(i);
    w.plan.executed(null);
    w.answer();
    w.release();
  }

  @Test
  void shouldAnswerRequestsStillInTheRingWhenFailQueued() {
    start(direct(2), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);

    batcher.failQueued(CLOSED);

    assertThat(responses.byId.get("a1").error()).isSameAs(CLOSED);
    assertThat(responses.byId.get("b1").error()).isSameAs(CLOSED);
    assertThat(batcher.progressed()).isTrue();
    assertThat(accounting.pendingCount()).isZero();
  }

  @Test
  void shouldAnswerTheQueuesOfBoundAndBackloggedSequencesWhenFailQueued() {
    start(direct(1), 1);
    offer("a1", 1, true, false, T0);
    batcher.dispatch(T0);
    assertThat(plan(0)).containsExactly("a1");
    offer("a2", 1, false, false, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);

    batcher.failQueued(CLOSED);

    assertThat(responses.byId.get("a2").error()).isSameAs(CLOSED);
    assertThat(responses.byId.get("b1").error()).isSameAs(CLOSED);
    assertThat(responses.byId).doesNotContainKey("a1");
  }

  @Test
  void shouldGiveTheAdmissionBackWhenFailQueuedAnswered() {
    start(config(1, SequenceConfig.Strategy.DIRECT, 0, 0).ringSize(2).build(), 1);
    offer("a1", 1, true, false, T0);
    offer("a2", 1, false, false, T0);
    assertThat(offer("a3", 1, false, false, T0)).isSameAs(SchedulerErrors.QUEUE_FULL);

    batcher.failQueued(CLOSED);

    assertThat(offer("a4", 1, true, false, T0)).isNull();
  }

  @Test
  void shouldHoldAnOldestBatchBelowTheActiveSequencesForTheQueueDelay() {
    start(oldest(2, 1_000), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);
    assertThat(plan(0)).containsExactly("a1", "b1");
    finish(0);
    offer("a2", 1, false, false, T0 + MILLI);

    long sleep = batcher.dispatch(T0 + MILLI + MILLI / 4);

    assertThat(plan(0)).isEmpty();
    assertThat(sleep).isEqualTo(MILLI - MILLI / 4);
    assertThat(accounting.queueDepth()).isEqualTo(1);
  }

  @Test
  void shouldSendAnOldestBatchBelowTheActiveSequencesWhenTheQueueDelayPassed() {
    start(oldest(2, 1_000), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);
    finish(0);
    offer("a2", 1, false, false, T0 + MILLI);
    batcher.dispatch(T0 + MILLI);

    batcher.dispatch(T0 + 2 * MILLI);

    assertThat(plan(0)).containsExactly("a2");
  }

  @Test
  void shouldSendAnOldestBatchAtOnceWhenEveryActiveSequenceIsReady() {
    start(oldest(2, 1_000_000), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0 + 10);

    batcher.dispatch(T0 + 10);

    assertThat(plan(0)).containsExactly("a1", "b1");
  }

  @Test
  void shouldPackTheOldestRequestFirstWhenTheStrategyIsOldest() {
    start(oldest(2, 0), 1);
    offer("a1", 1, true, false, T0 + 5);
    offer("b1", 2, true, false, T0);

    batcher.dispatch(T0 + 10);

    assertThat(plan(0)).containsExactly("b1", "a1");
  }

  @Test
  void shouldSendALoneOldestRequestAtOnceWhenThereIsNoQueueDelay() {
    start(oldest(2, 0), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);
    finish(0);
    offer("a2", 1, false, false, T0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("a2");
  }

  @Test
  void shouldLeaveAnEmptyNotReadySlotBelowTheLastBusySlotWhenDirect() {
    start(direct(2), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);
    finish(0);
    offer("b2", 2, false, false, T0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("-", "b2");
  }

  @Test
  void shouldBindABackloggedSequenceWhenTheSlotsSequenceEnds() {
    start(direct(1), 1);
    offer("a1", 1, true, true, T0);
    offer("b1", 2, true, false, T0);
    batcher.dispatch(T0);
    assertThat(plan(0)).containsExactly("a1");
    finish(0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("b1");
  }

  @Test
  void shouldSpreadNewSequencesOverTheInstancesBeforeUsingASecondSlot() {
    start(direct(2), 2);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("a1");
    assertThat(plan(1)).containsExactly("b1");
  }

  @Test
  void shouldExpireASequenceExactlyWhenItWasIdleForTheIdleTime() {
    start(config(1, SequenceConfig.Strategy.DIRECT, 1_000, 0).build(), 1);
    offer("a1", 1, true, false, T0);
    batcher.dispatch(T0);
    finish(0);

    long sleep = batcher.dispatch(T0 + MILLI / 4);
    assertThat(sleep).isEqualTo(MILLI - MILLI / 4);
    batcher.dispatch(T0 + MILLI);

    assertThat(batcher.progressed()).isTrue();
    assertThat(offer("a2", 1, false, false, T0 + MILLI).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void shouldSkipACancelledHeadAndRunTheNextStepOfItsSequence() {
    start(direct(1), 1);
    AtomicBoolean cancelled = new AtomicBoolean(true);
    offer(step("a1", 1, true, false, T0).cancellation(cancelled::get), T0);
    offer("a2", 1, false, false, T0);

    batcher.dispatch(T0);

    assertThat(responses.byId.get("a1").error()).isSameAs(SchedulerErrors.CANCELLED);
    assertThat(plan(0)).containsExactly("a2");
  }

  @Test
  void shouldAnswerDeadlineExceededWhenAStepsDeadlinePassedInTheQueue() {
    start(direct(1), 1);
    offer(step("a1", 1, true, false, T0).deadlineNanos(T0 + MILLI), T0);

    batcher.dispatch(T0 + MILLI + 1);

    assertThat(responses.byId.get("a1").error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(plan(0)).isEmpty();
  }

  @Test
  void shouldRunAStepWhoseDeadlineIsExactlyNow() {
    start(direct(1), 1);
    offer(step("a1", 1, true, false, T0).deadlineNanos(T0 + MILLI), T0);

    batcher.dispatch(T0 + MILLI);

    assertThat(plan(0)).containsExactly("a1");
  }

  @Test
  void shouldGiveAnOldestInstanceMaxCandidateSequencesSlotsButBatchesOfMaxBatchSize() {
    start(
        SchedulerConfig.builder("seq:1")
            .maxBatchSize(2)
            .sequence(
                new SequenceConfig(0, SequenceConfig.Strategy.OLDEST, 3, 0, List.of(), List.of()))
            .build(),
        1);
    offer(step("a1", 1, true, false, T0), T0);
    offer(step("b1", 2, true, false, T0 + 1), T0);
    offer(step("c1", 3, true, false, T0 + 2), T0);

    batcher.dispatch(T0 + 5);
    assertThat(plan(0)).containsExactly("a1", "b1");
    finish(0);
    batcher.dispatch(T0 + 5);

    assertThat(plan(0)).containsExactly("c1");
  }

  @Test
  void shouldGiveADirectInstanceMaxBatchSizeSlotsWhateverTheCandidateCount() {
    start(
        SchedulerConfig.builder("seq:1")
            .maxBatchSize(2)
            .sequence(
                new SequenceConfig(0, SequenceConfig.Strategy.DIRECT, 1, 0, List.of(), List.of()))
            .build(),
        1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("a1", "b1");
  }

  @Test
  void shouldLeaveOutASlotWhoseRequestHasOtherShapesThanTheFirst() {
    start(direct(2), 1);
    offer(step("a1", 1, true, false, T0), T0);
    offer(
        Requests.fp32("b1", responses, 1f, 2f)
            .arrivalNanos(T0)
            .sequence(new InferenceRequest.SequenceControl(2, null, true, false)),
        T0);

    batcher.dispatch(T0);

    assertThat(plan(0)).containsExactly("a1");
  }

  @Test
  void shouldGiveTheAdmissionBackWhenStepsAreDispatched() {
    start(config(1, SequenceConfig.Strategy.DIRECT, 0, 0).ringSize(2).build(), 1);
    for (int i = 0; i < 3; i++) {
      assertThat(offer("a" + i, 1, i == 0, false, T0)).isNull();
      batcher.dispatch(T0);
      finish(0);
    }

    assertThat(offer("b", 2, true, false, T0)).isNull();
    assertThat(offer("c", 3, true, false, T0)).isNull();
  }

  @Test
  void shouldStampTheDispatchTimeAndCountTheStepsAsExecutingWhenHandedOver() {
    start(direct(2), 1);
    offer("a1", 1, true, false, T0);
    offer("b1", 2, true, false, T0);

    batcher.dispatch(T0 + 9);

    assertThat(workers.get(0).plan.request(0).dispatchNanos()).isEqualTo(T0 + 9);
    assertThat(accounting.queueDepth()).isZero();
    assertThat(accounting.pendingCount()).isEqualTo(2);
  }
}
