package io.tensorgate.batching;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Bounded waits with a fine poll, so that waiting tests stay fast. The bound is generous (20 s, for
 * a loaded machine); scripts/mutation shortens it with {@code -Dtensorgate.test.waitMillis} so that
 * a mutant that loses an answer fails its test (killed) before PIT's timeout kills the minion.
 */
final class Wait {
  private Wait() {}

  static final Duration BOUND =
      Duration.ofMillis(Long.getLong("tensorgate.test.waitMillis", 20_000));

  static ConditionFactory bounded() {
    return Awaitility.await()
        .atMost(BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }

  static void until(Callable<Boolean> condition) {
    bounded().until(condition);
  }
}
