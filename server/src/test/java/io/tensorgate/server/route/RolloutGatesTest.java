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

  /** A canary window of {@code requests} requests of 1 ms, the first {@code errors} failed. */
  private static SlidingWindow.Snapshot failing(int requests, int errors) {
    SlidingWindow w = new SlidingWindow(10 * SECOND);
    for (int i = 0; i < requests; i++) {
      w.record(NOW, i < errors, 1_000_000);
    }
    return w.snapshot(NOW);
  }

  @Test
  void shouldKeepTheCanaryWhenItsErrorRateIsExactlyTheLimit() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxErrorRate(0.05).build();

    assertThat(RolloutGates.breach(p, failing(100, 5), null, 0, 0)).isNull();
    assertThat(RolloutGates.breach(p, failing(100, 6), null, 0, 0)).contains("error rate 0.060");
  }

  @Test
  void shouldJudgeErrorsOnlyWhenTheCanaryWindowHoldsTheDefaultMinimumOfTen() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxErrorRate(0.05).build();

    assertThat(RolloutGates.breach(p, failing(9, 9), null, 0, 0)).isNull();
    assertThat(RolloutGates.breach(p, failing(10, 10), null, 0, 0))
        .isEqualTo("error rate 1.000 over 10 requests exceeds 0.050");
  }

  @Test
  void shouldJudgeErrorsOnlyWhenTheCanaryWindowHoldsTheConfiguredMinimum() {
    RolloutPolicy p =
        RolloutPolicy.newBuilder().setMaxErrorRate(0.05).setMinGateRequests(3).build();

    assertThat(RolloutGates.breach(p, failing(2, 2), null, 0, 0)).isNull();
    assertThat(RolloutGates.breach(p, failing(3, 3), null, 0, 0)).contains("over 3 requests");
  }

  @Test
  void shouldIgnoreErrorsWhenThePolicyHasNoErrorGate() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxMismatchRate(0.5).build();

    assertThat(RolloutGates.breach(p, failing(100, 100), null, 0, 0)).isNull();
  }

  @Test
  void shouldIgnoreLatencyWhenThePolicyHasNoLatencyGate() {
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(200, 100_000_000);
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxErrorRate(0.5).build();

    assertThat(RolloutGates.breach(p, canary, stable, 0, 0)).isNull();
  }

  @Test
  void shouldNotJudgeLatencyWhenTheStableVersionRecordedNothing() {
    SlidingWindow.Snapshot canary = window(200, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, null, 0, 0)).isNull();
  }

  @Test
  void shouldNotJudgeLatencyWhenTheCanaryWindowIsTooSmall() {
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(49, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0)).isNull();
    assertThat(RolloutGates.breach(latencyGate(1.5).build(), window(50, 100_000_000), stable, 0, 0))
        .contains("p99");
  }

  @Test
  void shouldBreachTheP99GateWhenExactlyTheDefaultFiveCanaryRequestsAreSlow() {
    SlidingWindow.Snapshot stable = window(200, 1_000_000);
    SlidingWindow.Snapshot canary = window(55, 1_000_000, 5, 100_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), canary, stable, 0, 0))
        .contains("5 of 60 requests slower");
  }

  @Test
  void shouldHoldTheCanaryToTheRatioWhenTheRatioIsAboveTheFloor() {
    // Stable p99 20 ms: 1.5 x is 30 ms, beyond the 25 ms the 5 ms floor would allow.
    SlidingWindow.Snapshot stable = window(200, 20_000_000);

    assertThat(RolloutGates.breach(latencyGate(1.5).build(), window(200, 28_000_000), stable, 0, 0))
        .isNull();
    assertThat(RolloutGates.breach(latencyGate(1.5).build(), window(200, 32_000_000), stable, 0, 0))
        .contains("p99 32.", "slower than 30.");
  }

  @Test
  void shouldJudgeMismatchesOnlyWhenEnoughComparisonsWereMade() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxMismatchRate(0.01).build();

    assertThat(RolloutGates.breach(p, null, null, 9, 9)).isNull();
    assertThat(RolloutGates.breach(p, null, null, 10, 10))
        .isEqualTo("shadow mismatch rate 1.000 over 10 comparisons exceeds 0.010");
  }

  @Test
  void shouldIgnoreMismatchesWhenThePolicyHasNoMismatchGate() {
    RolloutPolicy p = RolloutPolicy.newBuilder().setMaxErrorRate(0.5).build();

    assertThat(RolloutGates.breach(p, null, null, 100, 100)).isNull();
  }

  @Test
  void shouldKeepAHealthyCanaryWhenEveryGateIsConfigured() {
    RolloutPolicy p =
        latencyGate(1.5)
            .setMaxErrorRate(0.05)
            .setMaxMismatchRate(0.05)
            .setMinGateRequests(50)
            .build();

    assertThat(RolloutGates.breach(p, window(200, 2_000_000), window(200, 2_000_000), 200, 1))
        .isNull();
  }
}
