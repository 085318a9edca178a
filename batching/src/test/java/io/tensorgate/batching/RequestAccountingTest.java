package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Counting requests from admission to answer, and the admission switch. */
class RequestAccountingTest {
  private final RequestAccounting accounting = new RequestAccounting(new BatcherWakeup(), "m:1");
  private final Responses responses = new Responses();

  private static final ResponseListener THROWING =
      new ResponseListener() {
        @Override
        public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
          throw new IllegalStateException("listener bug");
        }

        @Override
        public void onFailure(InferenceRequest request, InferenceError error) {
          throw new OutOfMemoryError("listener out of memory");
        }
      };

  @Test
  void shouldCountARequestFromEnterUntilItIsAnswered() {
    accounting.enter();
    accounting.enter();
    accounting.succeed(Requests.fp32("a", responses, 1f).build(), List.of());

    assertThat(accounting.pendingCount()).isEqualTo(1);
    assertThat(accounting.queueDepth()).isEqualTo(1);
  }

  @Test
  void shouldNotCountTheQueueDepthOfDispatchedRequests() {
    accounting.enter();
    accounting.enter();
    accounting.enter();

    accounting.dispatched(2);

    assertThat(accounting.queueDepth()).isEqualTo(1);
    accounting.executed(2);
    assertThat(accounting.queueDepth()).isEqualTo(3);
  }

  @Test
  void shouldNeverReportANegativeQueueDepth() {
    accounting.enter();
    accounting.dispatched(1);
    accounting.fail(Requests.fp32("a", responses, 1f).build(), SchedulerErrors.CANCELLED);

    assertThat(accounting.queueDepth()).isZero();
  }

  @Test
  void shouldRefuseAndNotCountWhenNoLongerAccepting() {
    assertThat(accounting.accepting()).isTrue();
    accounting.enter();
    accounting.stopAccepting();

    assertThat(accounting.enter()).isFalse();
    assertThat(accounting.pendingCount()).isEqualTo(1);
    assertThat(accounting.accepting()).isFalse();
    assertThat(accounting.drained()).isFalse();
  }

  @Test
  void shouldBeDrainedOnlyWhenStoppedAndEveryRequestWasAnswered() {
    assertThat(accounting.enter()).isTrue();
    accounting.refused();
    assertThat(accounting.drained()).isFalse();

    accounting.stopAccepting();

    assertThat(accounting.drained()).isTrue();
  }

  @Test
  void shouldCountListenersThatThrowAndStillUncountTheirRequests() {
    accounting.enter();
    accounting.enter();

    accounting.succeed(Requests.fp32("a", THROWING, 1f).build(), List.of());
    accounting.fail(Requests.fp32("b", THROWING, 1f).build(), SchedulerErrors.CANCELLED);

    assertThat(accounting.listenerFailures()).isEqualTo(2);
    assertThat(accounting.pendingCount()).isZero();
  }

  @Test
  void shouldAddWorkerFailuresToListenerFailures() {
    accounting.enter();
    accounting.succeed(Requests.fp32("a", THROWING, 1f).build(), List.of());

    accounting.workerFailed(new IllegalStateException("assembling failed"));

    assertThat(accounting.failures()).isEqualTo(2);
    assertThat(accounting.listenerFailures()).isEqualTo(1);
  }
}
