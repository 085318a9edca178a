package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueTimeoutsTest {
  private static final long MS = 1_000_000L;

  private final List<String> expired = new ArrayList<>();
  private final QueueTimeouts.Expiry expiry = (level, q) -> expired.add(q.request.id());

  private static PriorityLevel level(long timeoutMicros) {
    return new PriorityLevel(
        new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, timeoutMicros, false, 0),
        8,
        new BatcherWakeup());
  }

  private static void offer(PriorityLevel level, String id, long now) {
    assertThat(level.offer(Requests.fp32(id, new Responses(), 1f).build(), now)).isNull();
  }

  @Test
  void shouldNotWakeTheBatcherWhenNoRequestHasATimeout() {
    PriorityLevel level = level(0);
    QueueTimeouts timeouts = new QueueTimeouts(new PriorityLevel[] {level});
    offer(level, "a", 0);

    timeouts.update(0, expiry);

    assertThat(timeouts.sleepNanos(0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void shouldWakeTheBatcherJustAfterTheEarliestTimeoutWhenRequestsHaveOne() {
    PriorityLevel level = level(1_000);
    QueueTimeouts timeouts = new QueueTimeouts(new PriorityLevel[] {level});
    offer(level, "a", 3 * MS);
    offer(level, "b", 5 * MS);

    timeouts.update(3 * MS, expiry);

    assertThat(timeouts.sleepNanos(3 * MS)).isEqualTo(MS + 1);
    assertThat(expired).isEmpty();
  }

  @Test
  void shouldHandOnlyExpiredRequestsToTheExpiryWhenTheEarliestTimeoutPassed() {
    PriorityLevel level = level(1_000);
    QueueTimeouts timeouts = new QueueTimeouts(new PriorityLevel[] {level});
    offer(level, "a", 0);
    offer(level, "b", 5 * MS);
    timeouts.update(0, expiry);

    timeouts.update(2 * MS, expiry);

    assertThat(expired).containsExactly("a");
    assertThat(timeouts.sleepNanos(2 * MS)).isEqualTo(4 * MS + 1);
  }

  @Test
  void shouldFindTheEarliestTimeoutAcrossLevelsWhenTheyDiffer() {
    PriorityLevel slow = level(10_000);
    PriorityLevel fast = level(1_000);
    QueueTimeouts timeouts = new QueueTimeouts(new PriorityLevel[] {slow, fast});
    offer(slow, "slow", 0);
    offer(fast, "fast", 0);

    timeouts.update(0, expiry);

    assertThat(timeouts.sleepNanos(0)).isEqualTo(MS + 1);
  }
}
