package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecutionWatchTest {
  private static final long TIMEOUT = 1_000;

  private final ExecutionWatch watch = new ExecutionWatch();

  @Test
  void shouldLetTheWorkerEndWhenTheExecutionReturnsInTime() {
    long token = watch.begin(5_000);

    assertThat(watch.abandonIfHung(5_000 + TIMEOUT, TIMEOUT)).isFalse();
    assertThat(watch.end(token)).isTrue();
    assertThat(watch.abandoned()).isFalse();
  }

  @Test
  void shouldGiveTheBatchToTheWatchdogWhenTheExecutionRunsPastTheTimeout() {
    long token = watch.begin(5_000);

    assertThat(watch.abandonIfHung(5_000 + TIMEOUT + 1, TIMEOUT)).isTrue();
    assertThat(watch.abandoned()).isTrue();
    assertThat(watch.end(token)).isFalse();
  }

  @Test
  void shouldNotAbandonWhenNoExecutionRuns() {
    watch.end(watch.begin(5_000));

    assertThat(watch.abandonIfHung(Long.MAX_VALUE, TIMEOUT)).isFalse();
  }

  @Test
  void shouldNotAbandonTwiceWhenTheWatchdogAsksAgain() {
    watch.begin(5_000);
    watch.abandonIfHung(5_000 + TIMEOUT + 1, TIMEOUT);

    assertThat(watch.abandonIfHung(5_000 + 2 * TIMEOUT + 1, TIMEOUT)).isFalse();
  }

  @Test
  void shouldStillWatchAnExecutionWhenItsStartReadsAsZero() {
    // System.nanoTime() may return 0 or Long.MIN_VALUE, the watch's own markers.
    long token = watch.begin(0);

    assertThat(watch.abandonIfHung(TIMEOUT + 2, TIMEOUT)).isTrue();
    assertThat(watch.end(token)).isFalse();
  }
}
