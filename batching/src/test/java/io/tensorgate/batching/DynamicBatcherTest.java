package io.tensorgate.batching;

import static io.tensorgate.batching.BatcherRig.MILLI;
import static io.tensorgate.batching.BatcherRig.T0;
import static io.tensorgate.batching.BatcherRig.delay;
import static io.tensorgate.batching.BatcherRig.reject;
import static io.tensorgate.batching.BatcherRig.rig;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the batcher forms batches, on a clock the test sets: preferred sizes, max_batch_size, levels
 * by priority, ring slots given back, dispatch at exact bounds. Workers never run; see {@link
 * BatcherRig}. Queue policies: {@link DynamicBatcherQueuePolicyTest}.
 */
class DynamicBatcherTest {
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
