package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One priority level's admission and the queue timeout it gives each request. */
class PriorityLevelTest {
  private static final long NOW = 5_000_000_000L;

  private final Responses responses = new Responses();

  private static PriorityLevel level(QueuePolicy policy, int ringSize) {
    return new PriorityLevel(policy, ringSize, new BatcherWakeup());
  }

  private static QueuePolicy reject(long timeoutMicros, boolean override, int maxQueueSize) {
    return new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, timeoutMicros, override, maxQueueSize);
  }

  private InferenceRequest request(long timeoutMicros) {
    return Requests.fp32("r", responses, 1f).timeoutMicros(timeoutMicros).build();
  }

  /** Queues one request and returns its slot. */
  private QueuedRequest queued(PriorityLevel level, long requestTimeoutMicros) {
    assertThat(level.offer(request(requestTimeoutMicros), NOW)).isNull();
    return level.ring.get(level.ring.getCursor());
  }

  /** The batcher's side: the oldest queued request leaves and its slot goes back. */
  private static void leave(PriorityLevel level) {
    level.ring.get(level.consumed.get() + 1).clear();
    level.left();
    level.releaseClearedSlots();
  }

  @Test
  void shouldGiveNoTimeoutWhenThePolicyHasNone() {
    QueuedRequest q = queued(level(reject(0, true, 0), 4), 1_000);

    assertThat(q.hasTimeout).isFalse();
    assertThat(q.enqueueNanos).isEqualTo(NOW);
  }

  @Test
  void shouldGiveThePolicysTimeoutWhenTheRequestAsksForNone() {
    QueuedRequest q = queued(level(reject(2_000, true, 0), 4), 0);

    assertThat(q.hasTimeout).isTrue();
    assertThat(q.timeoutNanos).isEqualTo(NOW + 2_000_000L);
  }

  @Test
  void shouldGiveTheRequestsShorterTimeoutWhenOverrideIsAllowed() {
    QueuedRequest q = queued(level(reject(2_000, true, 0), 4), 1_999);

    assertThat(q.timeoutNanos).isEqualTo(NOW + 1_999_000L);
  }

  @Test
  void shouldKeepThePolicysTimeoutWhenTheRequestAsksForALongerOne() {
    QueuedRequest q = queued(level(reject(2_000, true, 0), 4), 2_001);

    assertThat(q.timeoutNanos).isEqualTo(NOW + 2_000_000L);
  }

  @Test
  void shouldKeepThePolicysTimeoutWhenOverrideIsNotAllowed() {
    QueuedRequest q = queued(level(reject(2_000, false, 0), 4), 1);

    assertThat(q.timeoutNanos).isEqualTo(NOW + 2_000_000L);
  }

  @Test
  void shouldCapAHugeTimeoutWithoutOverflowingWhenConvertedToNanos() {
    QueuedRequest q = queued(level(reject(Long.MAX_VALUE, false, 0), 4), 0);

    assertThat(q.timeoutNanos - NOW).isEqualTo(Long.MAX_VALUE / 1_000L * 1_000L);
  }

  @Test
  void shouldAdmitUpToMaxQueueSizeAndAgainAfterOneLeft() {
    PriorityLevel level = level(reject(0, false, 2), 8);
    queued(level, 0);
    queued(level, 0);
    assertThat(level.offer(request(0), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);

    leave(level);

    assertThat(level.offer(request(0), NOW)).isNull();
  }

  @Test
  void shouldNotCountARequestTheFullRingRefusedWhenTheLevelIsCapped() {
    QueuePolicy delay = new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 1_000, false, 6);
    PriorityLevel level = level(delay, 4);
    for (int i = 0; i < 4; i++) {
      queued(level, 0);
    }
    assertThat(level.offer(request(0), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);
    assertThat(level.offer(request(0), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);
    // Two requests expire into the DELAY side queue: their ring slots free, they stay counted.
    for (int i = 0; i < 2; i++) {
      level.delayed.add(level.ring.get(i));
      level.ring.get(i).clear();
    }
    level.releaseClearedSlots();

    assertThat(level.offer(request(0), NOW)).isNull();
    assertThat(level.offer(request(0), NOW)).isNull();
    assertThat(level.offer(request(0), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);
  }

  @Test
  void shouldBoundADelayLevelByItsRingWhenItHasNoMaxQueueSize() {
    QueuePolicy delay = new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 1_000, false, 0);
    PriorityLevel level = level(delay, 2);
    queued(level, 0);
    queued(level, 0);
    // The DELAY side queue holds what left the ring: the admission count still bounds them.
    level.delayed.add(level.ring.get(0));
    level.ring.get(0).clear();
    level.releaseClearedSlots();

    assertThat(level.offer(request(0), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);
  }

  @Test
  void shouldReleaseOnlyTheClearedSlotsAtTheHeadOfTheRing() {
    PriorityLevel level = level(reject(0, false, 0), 4);
    queued(level, 0);
    queued(level, 0);
    queued(level, 0);
    level.ring.get(0).clear();
    level.ring.get(2).clear();

    level.releaseClearedSlots();

    assertThat(level.consumed.get()).isZero();
  }
}
