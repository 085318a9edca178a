package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests whose predicted queue wait is too long are refused at admission (issue 11 item 10). */
class QueueWaitLimitTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Responses responses = new Responses();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private static InferenceRequest request(String id, ResponseListener listener) {
    return Requests.fp32(id, listener, 1f).build();
  }

  @Test
  void shouldAdmitWhenThePredictedWaitIsWithinThreeQuartersOfTheBudget() {
    ServiceRate rate = new ServiceRate();
    rate.served(4, 20 * MS);
    QueueWaitLimit limit = new QueueWaitLimit("m:1", rate, 1000 * MS);

    // 20 ms for the batch executing, then 146 requests ahead at 5 ms each: 3/4 of the budget.
    assertThat(limit.check(request("a", responses), 0, 147, 1)).isNull();
  }

  @Test
  void shouldRefuseWithUnavailableWhenThePredictedWaitExceedsThreeQuartersOfTheBudget() {
    ServiceRate rate = new ServiceRate();
    rate.served(4, 20 * MS);
    QueueWaitLimit limit = new QueueWaitLimit("m:1", rate, 1000 * MS);

    InferenceError refused = limit.check(request("a", responses), 0, 148, 1);
    assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(refused.message())
        .isEqualTo(
            "Exceeds maximum queue wait: a request for model 'm' would wait about 755 ms in the"
                + " queue, more than the 750 ms admitted to keep waits within 1000 ms"
                + " (--max-queue-wait-ms)");
  }

  @Test
  void shouldRefuseWhenThePredictedWaitExceedsTheRequestsDeadline() {
    ServiceRate rate = new ServiceRate();
    rate.served(1, 10 * MS);
    QueueWaitLimit limit = new QueueWaitLimit("m:1", rate, 1000 * MS);
    long now = 1_000_000 * MS;
    InferenceRequest soon = Requests.fp32("a", responses, 1f).deadlineNanos(now + 50 * MS).build();

    InferenceError refused = limit.check(soon, now, 6, 1);
    assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(refused.message())
        .endsWith("more than the 50 ms left before the request's deadline");
    assertThat(limit.check(soon, now, 5, 1)).isNull();
  }

  @Test
  void shouldRefuseAtSubmitWhenTheQueueAheadWouldTakeTooLong() throws Exception {
    FakeInstance instance = new FakeInstance("i0");
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("limited:1").maxBatchSize(8).maxQueueWaitNanos(1).build(),
            List.of(instance),
            BatchListener.NONE);
    // One batch measures the time per request (microseconds at least, far above 1 ns).
    scheduler.submit(request("measured", responses));
    responses.awaitOutcome("measured");
    Wait.until(() -> scheduler.pendingCount() == 0);
    instance.hold();
    scheduler.submit(request("running", responses));
    instance.awaitEntered(2);

    InferenceError refused = scheduler.submit(request("queued", responses));

    assertThat(refused).isNotNull();
    assertThat(refused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(refused.message()).startsWith("Exceeds maximum queue wait");
    assertThat(scheduler.pendingCount()).isEqualTo(1);
    instance.release();
    assertThat(responses.awaitOutcome("running").ok()).isTrue();
  }

  @Test
  void shouldQueueWhenNothingWasMeasuredYet() throws Exception {
    FakeInstance instance = new FakeInstance("i0").hold();
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("limited:1").maxBatchSize(8).maxQueueWaitNanos(1).build(),
            List.of(instance),
            BatchListener.NONE);
    scheduler.submit(request("running", responses));
    instance.awaitEntered(1);

    assertThat(scheduler.submit(request("queued", responses))).isNull();
    instance.release();
    responses.awaitAnswers(2);
  }
}
