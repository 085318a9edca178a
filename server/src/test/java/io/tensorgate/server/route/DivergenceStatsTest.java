package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.proto.admin.v1.Divergence;
import org.junit.jupiter.api.Test;

class DivergenceStatsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final DivergenceStats stats =
      new DivergenceStats(
          "m",
          1,
          new DivergenceTable.ShadowKey("m", 2),
          0.5,
          0.25,
          1_000,
          new RouteMetrics(meters));

  private double counter(String name) {
    return meters.get(name).counter().count();
  }

  private static OutputComparison.Result result(
      boolean exact, boolean mismatch, double maxAbs, double maxRel, int rows, int agree) {
    return new OutputComparison.Result(exact, mismatch, maxAbs, maxRel, rows, agree);
  }

  @Test
  void shouldCountComparisonsExactMatchesAndMismatchesWhenRecorded() {
    stats.record(result(true, false, 0, 0, 0, 0));
    stats.record(result(false, false, 0.1, 0.01, 0, 0));
    stats.record(result(false, true, 3, 0.5, 0, 0));
    stats.record(result(false, false, 0.2, 0.02, 0, 0));

    Divergence d = stats.toProto();
    assertThat(d.getComparisons()).isEqualTo(4);
    assertThat(d.getExactMatches()).isEqualTo(1);
    assertThat(d.getMismatches()).isEqualTo(1);
    assertThat(d.getExactMatchRate()).isEqualTo(0.25);
    assertThat(counter("tensorgate.divergence.comparisons")).isEqualTo(4);
    assertThat(counter("tensorgate.divergence.mismatches")).isEqualTo(1);
  }

  @Test
  void shouldKeepTheLargestDifferencesWhenRecorded() {
    stats.record(result(false, true, 3, 0, 0, 0));
    stats.record(result(false, false, 0, 0.5, 0, 0));
    stats.record(result(false, false, 1, 0.1, 0, 0));

    Divergence d = stats.toProto();
    assertThat(d.getMaxAbsDiff()).isEqualTo(3);
    assertThat(d.getMaxRelDiff()).isEqualTo(0.5);
  }

  @Test
  void shouldRateTop1AgreementOverClassifierRowsOnly() {
    stats.record(result(false, false, 0.1, 0.1, 4, 3));
    stats.record(result(true, false, 0, 0, 0, 0));

    Divergence d = stats.toProto();
    assertThat(d.getTop1Comparisons()).isEqualTo(4);
    assertThat(d.getTop1Agreements()).isEqualTo(3);
    assertThat(d.getTop1AgreementRate()).isEqualTo(0.75);
  }

  @Test
  void shouldRateNothingWhenNothingWasCompared() {
    Divergence d = stats.toProto();

    assertThat(d.getExactMatchRate()).isZero();
    assertThat(d.getTop1AgreementRate()).isZero();
    assertThat(d.getMaxAbsDiff()).isZero();
  }

  @Test
  void shouldCountMirrorsAndDropsPerReason() {
    stats.mirrored();
    stats.mirrored();
    stats.dropped(RouteMetrics.DropReason.SHADOW_BUSY);

    assertThat(stats.toProto().getShadowRequests()).isEqualTo(2);
    assertThat(stats.toProto().getDropped()).isEqualTo(1);
    assertThat(counter("tensorgate.shadow.requests")).isEqualTo(2);
    assertThat(
            meters.get("tensorgate.shadow.dropped").tag("reason", "shadow_busy").counter().count())
        .isEqualTo(1);
    assertThat(
            meters.get("tensorgate.shadow.dropped").tag("reason", "queue_full").counter().count())
        .isZero();
  }

  @Test
  void shouldDescribeThePairAndItsTolerances() {
    Divergence d = stats.toProto();

    assertThat(d.getModelName()).isEqualTo("m");
    assertThat(d.getPrimaryVersion()).isEqualTo(1);
    assertThat(d.getShadowVersion()).isEqualTo(2);
    assertThat(d.getAbsTolerance()).isEqualTo(0.5);
    assertThat(d.getRelTolerance()).isEqualTo(0.25);
    assertThat(d.getSinceUnixMillis()).isEqualTo(1_000);
  }

  @Test
  void shouldBeMeasuredUnderATargetOnlyWhenBothTolerancesMatch() {
    assertThat(stats.measuredUnder(target(0.5, 0.25))).isTrue();
    assertThat(stats.measuredUnder(target(0.5, 0.3))).isFalse();
    assertThat(stats.measuredUnder(target(0.4, 0.25))).isFalse();
  }

  private static ModelRoute.ShadowTarget target(double abs, double rel) {
    return new ModelRoute.ShadowTarget("m", 2, "2", 1, abs, rel);
  }
}
