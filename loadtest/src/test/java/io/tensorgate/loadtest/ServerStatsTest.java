package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.StatisticDuration;
import org.junit.jupiter.api.Test;

class ServerStatsTest {

  private static StatisticDuration d(long count, long ns) {
    return StatisticDuration.newBuilder().setCount(count).setNs(ns).build();
  }

  private static final ServerStats.Snapshot BEFORE =
      new ServerStats.Snapshot(
          10, 5, d(10, 1_000_000), d(10, 100_000), d(5, 10_000), d(5, 50_000), d(5, 10_000));

  @Test
  void shouldAverageEachDurationOverItsOwnCountWhenDiffingSnapshots() {
    ServerStats.Snapshot after =
        new ServerStats.Snapshot(
            110,
            30,
            d(110, 1_000_000 + 100 * 200_000L),
            d(110, 100_000 + 100 * 30_000L),
            d(105, 10_000 + 100 * 5_000L),
            d(105, 50_000 + 100 * 100_000L),
            d(105, 10_000 + 100 * 5_000L));

    ServerStats stats = ServerStats.between(BEFORE, after);

    assertThat(stats.requests()).isEqualTo(100);
    assertThat(stats.inferences()).isEqualTo(100);
    assertThat(stats.executions()).isEqualTo(25);
    assertThat(stats.successUs()).isEqualTo(200.0);
    assertThat(stats.queueUs()).isEqualTo(30.0);
    assertThat(stats.computeInferUs()).isEqualTo(100.0);
    // 200 - 30 - 5 - 100 - 5
    assertThat(stats.overheadUs()).isEqualTo(60.0);
  }

  @Test
  void shouldReportZeroWhenNothingHappenedBetweenSnapshots() {
    ServerStats stats = ServerStats.between(BEFORE, BEFORE);

    assertThat(stats.requests()).isZero();
    assertThat(stats.successUs()).isZero();
    assertThat(stats.overheadUs()).isZero();
  }
}
