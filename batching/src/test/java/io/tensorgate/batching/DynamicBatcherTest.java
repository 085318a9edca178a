package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The batcher's decisions on a clock the test sets: queue-policy timeouts, admission slots given
 * back, requests parked by DELAY, failQueued. Workers never run; see {@link BatcherRig}.
 */
class DynamicBatcherTest {
  private static final long T0 = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;

  private static QueuePolicy reject(long timeoutMicros, int maxQueueSize) {
    return new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, timeoutMicros, true, maxQueueSize);
  }

  private static QueuePolicy delay(long timeoutMicros, int maxQueueSize) {
    return new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, timeoutMicros, true, maxQueueSize);
  }

  private static BatcherRig rig(int maxBatchSize, QueuePolicy policy) {
    return new BatcherRig(Configs.dynamic(maxBatchSize).defaultQueuePolicy(policy).build(), 1);
  }

  @Test
  void shouldAdmitAgainWhenACappedLevelWasDispatchedAndDrained() {
    BatcherRig rig = rig(4, reject(0, 2));
    assertThat(rig.offer(rig.request("a"), T0)).isNull();
    assertThat(rig.offer(rig.request("b"), T0)).isNull();
    assertThat(rig.offer(rig.request("c"), T0)).isSameAs(SchedulerErrors.QUEUE_FULL);

    rig.batcher.dispatch(T0);
    assertThat(rig.plan(0)).containsExactly("a", "b");

    assertThat(rig.offer(rig.request("d"), T0)).isNull();
    assertThat(rig.offer(rig.request("e"), T0)).isNull();
  }

  @Test
  void shouldAdmitAgainWhenACappedLevelsRequestWasCancelledInTheQueue() {
    BatcherRig rig = rig(4, reject(0, 1));
    AtomicBoolean cancelled = new AtomicBoolean();
    rig.offer(rig.request("gone").cancellation(cancelled::get), T0);
    cancelled.set(true);

    rig.batcher.dispatch(T0);

    assertThat(rig.responses.byId.get("gone").error()).isSameAs(SchedulerErrors.CANCELLED);
    assertThat(rig.plan(0)).isEmpty();
    assertThat(rig.offer(rig.request("next"), T0)).isNull();
  }

  @Test
  void shouldRejectExpiredRequestsWhileEveryInstanceIsBusy() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("late"), T0);
    rig.offer(rig.request("later"), T0 + MILLI);

    rig.batcher.dispatch(T0 + MILLI + 1);

    assertThat(rig.responses.byId.get("late").error()).isSameAs(SchedulerErrors.QUEUE_TIMEOUT);
    assertThat(rig.responses.byId).doesNotContainKey("later");
    assertThat(rig.accounting.queueDepth()).isEqualTo(1);
  }

  @Test
  void shouldNotRejectARequestWhoseTimeoutEndsExactlyNow() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("due"), T0);

    rig.batcher.dispatch(T0 + MILLI);

    assertThat(rig.responses.byId).doesNotContainKey("due");
  }

  @Test
  void shouldSleepUntilJustPastTheEarliestQueueTimeoutWhenRequestsWait() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("later"), T0 + 5 * MILLI);
    rig.offer(rig.request("sooner"), T0 + 2 * MILLI);

    // The running request's timeout, noted before it left, has passed: a sweep finds the next.
    assertThat(rig.batcher.dispatch(T0 + 2 * MILLI)).isEqualTo(MILLI + 1);
  }

  @Test
  void shouldSleepUntilSignalledWhenNoQueuedRequestHasATimeout() {
    BatcherRig rig = rig(1, reject(0, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("waiting"), T0);

    assertThat(rig.batcher.dispatch(T0 + MILLI)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldFindTheNextTimeoutAmongTheUnexpiredAfterASweep() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("first"), T0);
    rig.offer(rig.request("second"), T0 + 3 * MILLI);

    long sleep = rig.batcher.dispatch(T0 + 2 * MILLI);

    assertThat(rig.responses.byId.get("first").error()).isSameAs(SchedulerErrors.QUEUE_TIMEOUT);
    assertThat(sleep).isEqualTo(2 * MILLI + 1);
  }

  @Test
  void shouldRunADelayedRequestAfterTheFreshOnesWhenAnInstanceFrees() {
    BatcherRig rig = rig(1, delay(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked"), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    rig.offer(rig.request("fresh"), T0 + 2 * MILLI);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.plan(0)).containsExactly("fresh");
    rig.finish(0);
    rig.batcher.dispatch(T0 + 2 * MILLI);

    assertThat(rig.plan(0)).containsExactly("parked");
    assertThat(rig.level(1).delayed).isEmpty();
  }

  @Test
  void shouldAnswerCancelledWhenAParkedRequestIsCancelled() {
    BatcherRig rig = rig(1, delay(1_000, 0));
    AtomicBoolean cancelled = new AtomicBoolean();
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked").cancellation(cancelled::get), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.level(1).delayed).hasSize(1);
    cancelled.set(true);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 3 * MILLI);

    assertThat(rig.responses.byId.get("parked").error()).isSameAs(SchedulerErrors.CANCELLED);
    assertThat(rig.plan(0)).isEmpty();
    assertThat(rig.level(1).delayed).isEmpty();
  }

  @Test
  void shouldAnswerDeadlineExceededWhenAParkedRequestsDeadlinePasses() {
    BatcherRig rig = rig(1, delay(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked").deadlineNanos(T0 + 5 * MILLI), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.level(1).delayed).hasSize(1);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 6 * MILLI);

    InferenceError error = rig.responses.byId.get("parked").error();
    assertThat(error.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(rig.plan(0)).isEmpty();
  }

  @Test
  void shouldAdmitAgainWhenAParkedRequestOfACappedLevelWasDispatched() {
    BatcherRig rig = rig(1, delay(1_000, 1));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked"), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.offer(rig.request("refused"), T0)).isSameAs(SchedulerErrors.QUEUE_FULL);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.plan(0)).containsExactly("parked");

    assertThat(rig.offer(rig.request("next"), T0)).isNull();
  }

  @Test
  void shouldAdmitAgainWhenAParkedRequestOfACappedLevelWasCancelled() {
    BatcherRig rig = rig(1, delay(1_000, 1));
    AtomicBoolean cancelled = new AtomicBoolean();
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked").cancellation(cancelled::get), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    cancelled.set(true);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 2 * MILLI);

    assertThat(rig.offer(rig.request("next"), T0)).isNull();
  }

  @Test
  void shouldAnswerQueuedAndParkedRequestsWithTheErrorWhenFailQueued() {
    BatcherRig rig = rig(1, delay(1_000, 2));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked"), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    rig.offer(rig.request("queued"), T0 + 2 * MILLI);
    InferenceError closed = new InferenceError(ErrorCode.UNAVAILABLE, "closed");

    rig.batcher.failQueued(closed);

    assertThat(rig.responses.byId.get("parked").error()).isSameAs(closed);
    assertThat(rig.responses.byId.get("queued").error()).isSameAs(closed);
    assertThat(rig.responses.byId).doesNotContainKey("running");
    assertThat(rig.accounting.queueDepth()).isZero();
    assertThat(rig.batcher.progressed()).isTrue();
    assertThat(rig.level(1).consumed.get()).isEqualTo(rig.level(1).ring.getCursor());
  }

  @Test
  void shouldGiveTheSlotsBackWhenFailQueuedAnsweredACappedLevel() {
    BatcherRig rig = rig(1, delay(1_000, 2));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("parked"), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    rig.offer(rig.request("queued"), T0 + 2 * MILLI);

    rig.batcher.failQueued(SchedulerErrors.QUEUE_FULL);

    assertThat(rig.offer(rig.request("a"), T0)).isNull();
    assertThat(rig.offer(rig.request("b"), T0)).isNull();
  }

  @Test
  void shouldHandNothingMoreWhenRefillAsksAfterFailQueued() {
    BatcherRig rig = rig(1, reject(0, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.batcher.failQueued(SchedulerErrors.QUEUE_FULL);
    rig.offer(rig.request("late"), T0);

    assertThat(rig.finishAndRefill(0, T0)).isFalse();
    assertThat(rig.plan(0)).isEmpty();
  }

  @Test
  void shouldTakeTheNextBatchItselfWhenAWorkerRefills() {
    BatcherRig rig = rig(2, reject(0, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("a"), T0);
    rig.offer(rig.request("b"), T0);
    rig.offer(rig.request("c"), T0);

    assertThat(rig.finishAndRefill(0, T0)).isTrue();

    assertThat(rig.plan(0)).containsExactly("a", "b");
    assertThat(rig.batcher.progressed()).isTrue();
  }

  @Test
  void shouldRejectAnExpiredRequestWhenAWorkerRefills() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("late"), T0);

    assertThat(rig.finishAndRefill(0, T0 + 2 * MILLI)).isFalse();

    assertThat(rig.responses.byId.get("late").error()).isSameAs(SchedulerErrors.QUEUE_TIMEOUT);
    assertThat(rig.batcher.progressed()).isTrue();
    assertThat(rig.level(1).consumed.get()).isEqualTo(rig.level(1).ring.getCursor());
  }

  @Test
  void shouldSendABatchBelowThePreferredSizeWhenTheNextRequestWouldPassIt() {
    BatcherRig rig = new BatcherRig(Configs.dynamic(8).preferredBatchSizes(3).build(), 1);
    rig.offer(Requests.batch("two", rig.responses, 2, 1f, 2f), T0);
    rig.offer(Requests.batch("another-two", rig.responses, 2, 3f, 4f), T0);

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).containsExactly("two");
  }

  @Test
  void shouldTakeTheHighestLevelFirstWhenSeveralLevelsHoldRequests() {
    BatcherRig rig =
        new BatcherRig(
            Configs.dynamic(1)
                .priorityLevels(2)
                .defaultPriorityLevel(2)
                .priorityQueuePolicies(Map.of(1, reject(0, 0)))
                .build(),
            1);
    rig.offer(rig.request("low"), T0);
    rig.offer(rig.request("high").priorityLevel(1), T0);

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).containsExactly("high");
  }

  @Test
  void shouldGiveTheRingSlotsOfDroppedRequestsBackWhenNothingIsLeftToRun() {
    BatcherRig rig = new BatcherRig(Configs.dynamic(4).ringSize(2).build(), 1);
    rig.offer(rig.request("gone").cancellation(() -> true), T0);
    rig.offer(rig.request("gone too").cancellation(() -> true), T0);

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).isEmpty();
    assertThat(rig.offer(rig.request("a"), T0)).isNull();
    assertThat(rig.offer(rig.request("b"), T0)).isNull();
  }

  @Test
  void shouldGiveTheRingSlotsBackWhenAWorkerRefilledItself() {
    BatcherRig rig = rig(4, reject(0, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("a"), T0);

    rig.finishAndRefill(0, T0);

    assertThat(rig.level(1).consumed.get()).isEqualTo(rig.level(1).ring.getCursor());
  }

  @Test
  void shouldTakeEveryParkedRequestThatFitsWhenAnInstanceFrees() {
    BatcherRig rig = rig(2, delay(1_000, 0));
    rig.offer(rig.request("running"), T0);
    rig.batcher.dispatch(T0);
    rig.offer(rig.request("p1"), T0);
    rig.offer(rig.request("p2"), T0);
    rig.batcher.dispatch(T0 + 2 * MILLI);
    assertThat(rig.level(1).delayed).hasSize(2);

    rig.finish(0);
    rig.batcher.dispatch(T0 + 2 * MILLI);

    assertThat(rig.plan(0)).containsExactly("p1", "p2");
  }

  @Test
  void shouldLeaveARequestForTheNextBatchWhenItsRowsWouldPassMaxBatchSize() {
    BatcherRig rig = rig(4, reject(0, 0));
    rig.offer(Requests.batch("three", rig.responses, 3, 1f, 2f, 3f), T0);
    rig.offer(Requests.batch("two", rig.responses, 2, 4f, 5f), T0);

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).containsExactly("three");
  }

  @Test
  void shouldSendTheSmallestPreferredSizeWhenTheLargerCannotBeReached() {
    BatcherRig rig = new BatcherRig(Configs.dynamic(8).preferredBatchSizes(2, 4).build(), 1);
    for (String id : new String[] {"a", "b", "c"}) {
      rig.offer(rig.request(id), T0);
    }

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).containsExactly("a", "b");
  }

  @Test
  void shouldIgnoreAPreferredSizeAboveMaxBatchSize() {
    BatcherRig rig = new BatcherRig(Configs.dynamic(8).preferredBatchSizes(3, 16).build(), 1);
    rig.offer(Requests.batch("a", rig.responses, 2, 1f, 2f), T0);
    rig.offer(Requests.batch("b", rig.responses, 2, 3f, 4f), T0);

    rig.batcher.dispatch(T0);

    // 3 cannot be reached (2 + 2 passes it): the batch goes as it is, without b.
    assertThat(rig.plan(0)).containsExactly("a");
  }

  @Test
  void shouldDispatchARequestWhoseQueueTimeoutEndsExactlyNowWhenAnInstanceIsFree() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("due"), T0);

    rig.batcher.dispatch(T0 + MILLI);

    assertThat(rig.plan(0)).containsExactly("due");
  }

  @Test
  void shouldDispatchARequestWhoseDeadlineIsExactlyNow() {
    BatcherRig rig = rig(1, reject(0, 0));
    rig.offer(rig.request("due").deadlineNanos(T0 + MILLI), T0);

    rig.batcher.dispatch(T0 + MILLI);

    assertThat(rig.plan(0)).containsExactly("due");
  }

  @Test
  void shouldDispatchARequestBeforeItsDeadlineAndStampTheDispatchTime() {
    BatcherRig rig = rig(1, reject(0, 0));
    InferenceRequest.Builder r = rig.request("early").deadlineNanos(T0 + 5 * MILLI);
    rig.offer(r.arrivalNanos(T0), T0);

    rig.batcher.dispatch(T0 + 7);

    assertThat(rig.plan(0)).containsExactly("early");
    assertThat(rig.workers.get(0).plan.request(0).dispatchNanos()).isEqualTo(T0 + 7);
  }

  @Test
  void shouldKeepARequestDueExactlyNowWhenASweepRejectsAnExpiredOne() {
    BatcherRig rig = rig(1, reject(1_000, 0));
    rig.offer(rig.request("running"), T0 - 5 * MILLI);
    rig.batcher.dispatch(T0 - 5 * MILLI);
    rig.offer(rig.request("expired"), T0);
    rig.offer(rig.request("due"), T0 + MILLI);

    rig.batcher.dispatch(T0 + 2 * MILLI);

    assertThat(rig.responses.byId.get("expired").error()).isSameAs(SchedulerErrors.QUEUE_TIMEOUT);
    assertThat(rig.responses.byId).doesNotContainKey("due");
  }

  @Test
  void shouldRunOneRequestPerBatchWhenDynamicBatchingHasNoMaxBatchSize() {
    BatcherRig rig = new BatcherRig(Configs.dynamic(0).build(), 1);
    rig.offer(rig.request("a"), T0);
    rig.offer(rig.request("b"), T0);

    rig.batcher.dispatch(T0);

    assertThat(rig.plan(0)).containsExactly("a");
  }
}
