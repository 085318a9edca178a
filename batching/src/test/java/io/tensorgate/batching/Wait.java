package io.tensorgate.batching;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Awaitility with a generous bound and a fine poll, so that waiting tests stay fast. */
final class Wait {
  private Wait() {}

  static ConditionFactory atMostTwentySeconds() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }

  static void until(Callable<Boolean> condition) {
    atMostTwentySeconds().until(condition);
  }
}
