package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The submitting thread's fast path: straight to an idle instance, only when nothing queues. */
class DirectDispatchTest {
  private static final long T0 = 3_000_000_000L;

  private final BatcherRig rig = new BatcherRig(Configs.dynamic(4).build(), 1);
  private final DirectDispatch direct =
      new DirectDispatch(
          rig.queues.levels, rig.pool, rig.accounting, rig.wakeup, false, new WorkerCpuTime());

  private InferenceRequest counted(String id) {
    rig.accounting.enter();
    return rig.request(id).arrivalNanos(T0 - 10).build();
  }

  @Test
  void shouldHandTheRequestToAnIdleInstanceWhenNothingIsQueued() {
    InferenceRequest r = counted("a");

    assertThat(direct.tryDispatch(r, T0)).isTrue();

    assertThat(rig.plan(0)).containsExactly("a");
    assertThat(r.dispatchNanos()).isEqualTo(T0);
    assertThat(rig.accounting.queueDepth()).isZero();
    assertThat(rig.workers.get(0).tryClaim()).isFalse();
  }

  @Test
  void shouldLeaveTheRequestToTheQueueWhenSomethingIsQueued() {
    rig.offer(rig.request("queued"), T0);

    assertThat(direct.tryDispatch(counted("a"), T0)).isFalse();

    assertThat(rig.plan(0)).isEmpty();
    assertThat(rig.workers.get(0).tryClaim()).isTrue();
  }

  @Test
  void shouldLeaveTheRequestToTheQueueWhenEveryInstanceIsBusy() {
    direct.tryDispatch(counted("a"), T0);

    assertThat(direct.tryDispatch(counted("b"), T0)).isFalse();

    assertThat(rig.plan(0)).containsExactly("a");
  }

  @Test
  void shouldLeaveACancelledRequestToTheQueueWhichAnswersIt() {
    InferenceRequest r = rig.request("gone").cancellation(() -> true).arrivalNanos(T0).build();
    rig.accounting.enter();

    assertThat(direct.tryDispatch(r, T0)).isFalse();

    assertThat(rig.plan(0)).isEmpty();
  }

  @Test
  void shouldDispatchAgainWhenTheQueuedRequestsWereTakenByTheBatcher() {
    rig.offer(rig.request("queued"), T0);
    rig.batcher.dispatch(T0);
    rig.finish(0);

    assertThat(direct.tryDispatch(counted("a"), T0)).isTrue();
  }
}
