package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.admin.v1.RolloutPolicy;
import org.junit.jupiter.api.Test;

class RolloutGatesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long NOW = 100 * SECOND;

  /** A window holding {@code n} requests of each given latency (alternating n and latency). */
  private static SlidingWindow.Snapshot window(long... countAndNanos) {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    for (int i = 0; i < countAndNanos.length; i += 2) {
      for (long j = 0; j < countAndNanos[i]; j++) {
        w.record(NOW, false, countAndNanos[i + 1]);
      }
    }
    return w.snapshot(NOW);
  }

  private static RolloutPolicy.Builder latencyGate(double ratio) {
    return RolloutPolicy.newBuilder().setMaxP99Ratio(ratio).setMinGateRequests(50);
  }

  @Test
  void shouldPassTheP99GateWhenTheCanaryIsWithinTheDefaultFloorOfTheStableVersion() {
    // 2 x the stable p99, but 3 ms apart: noise on a busy machine, not a regression.
    SlidingWindow.Snapshot stable = window(200, 3_000_000);
    SlidingWindow.Snapshot canary = window(200, 6_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0)).isNull();
  }

  @Test
  void shouldBreachTheP99GateWhenTheCanaryIsBeyondBothTheRatioAndTheFloor() {
    SlidingWindow.Snapshot stable = window(200, 3_000_000);
    SlidingWindow.Snapshot canary = window(200, 9_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0))
        .contains("p99 9.0", "1.50 x the stable version's 3.0", "5.00 ms above it");
  }

  @Test
  void shouldBreachOnTheRatioAloneWhenTheFloorIsSetNegligible() {
    SlidingWindow.Snapshot stable = window(200, 3_000_000);
    SlidingWindow.Snapshot canary = window(200, 6_000_000);

    assertThat(
            RolloutGates.breach(
                latencyGate(1.5).setMinP99DeltaMs(0.001).build(), canary, stable, 0, 0))
        .contains("p99");
  }

  @Test
  void shouldPassTheP99GateWhenTooFewCanaryRequestsAreSlow() {
    // In a window of 60 the p99 is the slowest request: four slow ones are not a trend.
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(56, 1_000_000, 4, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0)).isNull();
  }

  @Test
  void shouldBreachTheP99GateWhenEnoughCanaryRequestsAreSlow() {
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(54, 1_000_000, 6, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0))
        .contains("6 of 60 requests slower");
  }

  @Test
  void shouldNeverBreachTheP99GateWhenMinSlowRequestsIsTheLargestUint64() {
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(200, 100_000_000);
    RolloutPolicy p = latencyGate(1.5).setMinSlowRequests(-1L).build(); // 2^64 - 1 on the wire

    assertThat(RolloutGates.breach(p, canary, stable, 0, 0)).isNull();
  }

  @Test
  void shouldNotJudgeLatencyWhenTheStableWindowIsTooSmall() {
    SlidingWindow.Snapshot stable = window(49, 1_000_000);
    SlidingWindow.Snapshot canary = window(200, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0)).isNull();
  }

  @Test
  void shouldBreachTheErrorGateWhenTheCanaryFailsTooOften() {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    for (int i = 0; i < 100; i++) {
      w.record(NOW, i % 10 == 0, 1_000_000);
    }
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxErrorRate(0.05).build();

    assertThat(RolloutGates.breach(p, w.snapshot(NOW), null, 0, 0))
        .isEqualTo("error rate 0.100 over 100 requests exceeds 0.050");
  }

  @Test
  void shouldBreachTheMismatchGateWhenTheShadowedCanaryDisagrees() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxMismatchRate(0.01).build();

    assertThat(RolloutGates.breach(p, null, null, 100, 2)).contains("mismatch rate 0.020");
    assertThat(RolloutGates.breach(p, null, null, 100, 1)).isNull();
  }
}
