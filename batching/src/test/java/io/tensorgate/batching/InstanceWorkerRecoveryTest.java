package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.InferenceError;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failure after the batch was answered (here: taking the next batch throws) is counted, and the
 * worker goes idle for the next batch instead of dying or staying busy.
 */
class InstanceWorkerRecoveryTest {
  private final Responses responses = new Responses();
  private final FakeInstance instance = new FakeInstance("i0");
  private final BatcherWakeup wakeup = new BatcherWakeup();
  private final RequestAccounting accounting = new RequestAccounting(wakeup, "m:1");
  private final InstanceWorker worker =
      new InstanceWorker(
          instance,
          new BatchPlan(1, true),
          new BatchAssembler(true, Set.of(), null, instance),
          new OutputScatter(true),
          null,
          accounting,
          BatchListener.NONE,
          wakeup,
          new ServiceRate());
  private final Thread thread = new Thread(worker, "m-instance-0");

  /** A batcher whose refill fails: a bug outside the guarded steps. */
  private static final Batcher BROKEN_REFILL =
      new Batcher() {
        @Override
        public long dispatch(long now) {
          return Long.MAX_VALUE;
        }

        @Override
        public boolean refill(InstanceWorker w, long now) {
          throw new IllegalStateException("batcher bug");
        }

        @Override
        public boolean progressed() {
          return false;
        }

        @Override
        public void failQueued(InferenceError error) {}
      };

  InstanceWorkerRecoveryTest() {
    worker.deliverThrough(Delivery.IMMEDIATE);
    worker.refillFrom(BROKEN_REFILL);
    worker.bind(thread);
    thread.setDaemon(true);
    thread.start();
  }

  @AfterEach
  void stopWorker() throws InterruptedException {
    worker.stop();
    thread.join(Wait.BOUND.toMillis());
  }

  private void run(String id) {
    accounting.enter();
    assertThat(worker.tryClaim()).isTrue();
    worker.plan.add(Requests.fp32(id, responses, 1f).build());
    accounting.dispatched(1);
    worker.assign();
  }

  @Test
  void shouldCountTheFailureAndGoIdleWhenTakingTheNextBatchThrows() {
    run("a");

    assertThat(responses.awaitOutcome("a").ok()).isTrue();
    Wait.until(worker::idle);
    assertThat(accounting.failures()).isEqualTo(1);
    assertThat(thread.isAlive()).isTrue();
  }

  @Test
  void shouldRunTheNextBatchAfterRecovering() {
    run("a");
    responses.awaitOutcome("a");
    Wait.until(worker::idle);

    run("b");

    assertThat(responses.awaitOutcome("b").ok()).isTrue();
    assertThat(responses.answers.get()).isEqualTo(2);
  }
}
