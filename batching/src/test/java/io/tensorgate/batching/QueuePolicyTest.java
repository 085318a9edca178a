package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Admission, priority levels, queue timeouts, cancellation and deadlines. */
class QueuePolicyTest {
  private static final long MINUTE_MICROS = 60_000_000L;

  private final Responses responses = new Responses();
  private final FakeInstance instance = new FakeInstance("i0");
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    instance.release();
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private void start(SchedulerConfig config) {
    scheduler = Schedulers.create(config, List.of(instance), BatchListener.NONE);
  }

  private void occupy() throws InterruptedException {
    instance.hold();
    scheduler.submit(Requests.fp32("blocker", responses, -1f).build());
    instance.awaitEntered(1);
  }

  private static SchedulerConfig.Builder oneAtATime() {
    return Configs.dynamic(1);
  }

  private static SchedulerConfig withPolicy(QueuePolicy policy) {
    return oneAtATime().defaultQueuePolicy(policy).build();
  }

  /** Waits until a queue timeout of {@code micros} taken before now has certainly expired. */
  private static void letExpire(long submittedNanos, long micros) {
    Wait.until(() -> System.nanoTime() - submittedNanos > micros * 1_000 + 1_000_000);
  }

  @Test
  void shouldRunTheHigherPriorityFirstWhenBothAreQueued() throws Exception {
    start(oneAtATime().priorityLevels(2).defaultPriorityLevel(2).build());
    occupy();
    scheduler.submit(Requests.fp32("low", responses, 1f).priorityLevel(2).build());
    scheduler.submit(Requests.fp32("high", responses, 2f).priorityLevel(1).build());
    instance.release();
    responses.awaitAnswers(3);

    assertThat(responses.orderList()).containsExactly("blocker", "high", "low");
  }

  @Test
  void shouldQueueAtTheDefaultLevelWhenThePriorityIsZeroOrOutOfRange() throws Exception {
    start(oneAtATime().priorityLevels(2).defaultPriorityLevel(1).build());
    occupy();
    scheduler.submit(Requests.fp32("low", responses, 1f).priorityLevel(2).build());
    scheduler.submit(Requests.fp32("default", responses, 2f).priorityLevel(0).build());
    scheduler.submit(Requests.fp32("unknown", responses, 3f).priorityLevel(7).build());
    instance.release();
    responses.awaitAnswers(4);

    assertThat(responses.orderList()).containsExactly("blocker", "default", "unknown", "low");
  }

  @Test
  void shouldRejectWithoutExecutingWhenTheQueueTimeoutExpires() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 1_000, false, 0)));
    occupy();
    scheduler.submit(Requests.fp32("late", responses, 1f).build());

    Responses.Outcome late = responses.awaitOutcome("late");
    assertThat(late.error())
        .isEqualTo(new InferenceError(ErrorCode.UNAVAILABLE, "Request timeout expired"));
    instance.release();
    responses.awaitAnswers(2);
    assertThat(instance.executions.get()).isEqualTo(1);
  }

  @Test
  void shouldRunExpiredRequestsAfterTheOthersWhenTheActionIsDelay() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, MINUTE_MICROS, true, 0)));
    occupy();
    long submitted = System.nanoTime();
    scheduler.submit(Requests.fp32("expired", responses, 1f).timeoutMicros(1_000).build());
    letExpire(submitted, 1_000);
    scheduler.submit(Requests.fp32("fresh", responses, 2f).build());
    instance.release();
    responses.awaitAnswers(3);

    assertThat(responses.orderList()).containsExactly("blocker", "fresh", "expired");
    assertThat(responses.byId.get("expired").ok()).isTrue();
  }

  @Test
  void shouldShortenTheTimeoutWhenTheRequestAsksAndOverrideIsAllowed() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, MINUTE_MICROS, true, 0)));
    occupy();
    scheduler.submit(Requests.fp32("short", responses, 1f).timeoutMicros(1_000).build());

    assertThat(responses.awaitOutcome("short").error().message())
        .isEqualTo("Request timeout expired");
  }

  @Test
  void shouldKeepTheDefaultTimeoutWhenTheRequestAsksForALongerOne() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 1_000, true, 0)));
    occupy();
    scheduler.submit(Requests.fp32("long", responses, 1f).timeoutMicros(MINUTE_MICROS).build());

    assertThat(responses.awaitOutcome("long").error().message())
        .isEqualTo("Request timeout expired");
  }

  @Test
  void shouldIgnoreTheRequestTimeoutWhenOverrideIsNotAllowed() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, MINUTE_MICROS, false, 0)));
    occupy();
    long submitted = System.nanoTime();
    scheduler.submit(Requests.fp32("kept", responses, 1f).timeoutMicros(1_000).build());
    letExpire(submitted, 1_000);
    instance.release();

    assertThat(responses.awaitOutcome("kept").ok()).isTrue();
  }

  @Test
  void shouldRefuseAtOnceWhenTheLevelHoldsMaxQueueSizeRequests() throws Exception {
    start(withPolicy(new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 2)));
    occupy();
    assertThat(scheduler.submit(Requests.fp32("a", responses, 1f).build())).isNull();
    assertThat(scheduler.submit(Requests.fp32("b", responses, 1f).build())).isNull();

    InferenceError refused = scheduler.submit(Requests.fp32("c", responses, 1f).build());

    assertThat(refused)
        .isEqualTo(new InferenceError(ErrorCode.UNAVAILABLE, "Exceeds maximum queue size"));
    assertThat(refused).isSameAs(SchedulerErrors.QUEUE_FULL);
    instance.release();
    responses.awaitAnswers(3);
    assertThat(responses.byId).doesNotContainKey("c");
  }

  @Test
  void shouldLimitEachLevelByItsOwnPolicyWhenLevelsDiffer() throws Exception {
    QueuePolicy small = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 1);
    start(
        oneAtATime()
            .priorityLevels(2)
            .defaultPriorityLevel(2)
            .priorityQueuePolicies(Map.of(1, small))
            .build());
    occupy();
    assertThat(scheduler.submit(Requests.fp32("h1", responses, 1f).priorityLevel(1).build()))
        .isNull();
    assertThat(scheduler.submit(Requests.fp32("h2", responses, 1f).priorityLevel(1).build()))
        .isSameAs(SchedulerErrors.QUEUE_FULL);
    assertThat(scheduler.submit(Requests.fp32("l1", responses, 1f).priorityLevel(2).build()))
        .isNull();
  }

  @Test
  void shouldRefuseAtOnceWhenTheRingIsFull() throws Exception {
    start(oneAtATime().ringSize(4).build());
    occupy();
    for (int i = 0; i < 4; i++) {
      assertThat(scheduler.submit(Requests.fp32("r" + i, responses, 1f).build())).isNull();
    }

    InferenceError refused = scheduler.submit(Requests.fp32("overflow", responses, 1f).build());

    assertThat(refused).isSameAs(SchedulerErrors.QUEUE_FULL);
    assertThat(scheduler.queueDepth()).isEqualTo(4);
    instance.release();
    responses.awaitAnswers(5);
    assertThat(responses.byId).doesNotContainKey("overflow");
  }

  @Test
  void shouldAnswerCancelledWithoutExecutingWhenCancelledWhileQueued() throws Exception {
    start(oneAtATime().build());
    occupy();
    AtomicBoolean cancelled = new AtomicBoolean();
    scheduler.submit(Requests.fp32("gone", responses, 1f).cancellation(cancelled::get).build());
    cancelled.set(true);
    instance.release();

    Responses.Outcome gone = responses.awaitOutcome("gone");
    assertThat(gone.error())
        .isEqualTo(new InferenceError(ErrorCode.CANCELLED, "request cancelled"));
    assertThat(instance.executions.get()).isEqualTo(1);
  }

  @Test
  void shouldAnswerDeadlineExceededWithoutExecutingWhenTheDeadlinePassedInTheQueue()
      throws Exception {
    start(oneAtATime().build());
    occupy();
    long deadline = System.nanoTime();
    scheduler.submit(Requests.fp32("late", responses, 1f).deadlineNanos(deadline).build());
    Wait.until(() -> System.nanoTime() - deadline > 0);
    instance.release();

    Responses.Outcome late = responses.awaitOutcome("late");
    assertThat(late.error().code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(late.error().message())
        .isEqualTo("deadline exceeded before the request was executed");
    assertThat(instance.executions.get()).isEqualTo(1);
  }
}
