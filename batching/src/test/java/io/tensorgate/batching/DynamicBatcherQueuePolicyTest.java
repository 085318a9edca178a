package io.tensorgate.batching;

import static io.tensorgate.batching.BatcherRig.MILLI;
import static io.tensorgate.batching.BatcherRig.T0;
import static io.tensorgate.batching.BatcherRig.delay;
import static io.tensorgate.batching.BatcherRig.reject;
import static io.tensorgate.batching.BatcherRig.rig;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The batcher's queue policies on a clock the test sets: REJECT and DELAY timeouts, admission slots
 * given back, requests parked by DELAY, failQueued, refills. Workers never run; see {@link
 * BatcherRig}.
 */
class DynamicBatcherQueuePolicyTest {
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
}
