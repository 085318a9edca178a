package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The measured time per request and the queue wait predicted from it. */
class ServiceRateTest {
  private final ServiceRate rate = new ServiceRate();

  @Test
  void shouldPredictNoWaitWhenNothingWasMeasuredYet() {
    assertThat(rate.predictedWaitNanos(1_000, 1)).isZero();
  }

  @Test
  void shouldTakeTheFirstBatchAsTheAverageWhenItIsTheOnlyOne() {
    rate.served(4, 20_000_000);

    assertThat(rate.nanosPerRequest()).isEqualTo(5_000_000);
  }

  @Test
  void shouldMoveAnEighthOfTheWayToEachNewBatch() {
    rate.served(1, 8_000);
    rate.served(1, 16_000);

    assertThat(rate.nanosPerRequest()).isEqualTo(9_000);
  }

  @Test
  void shouldPredictTheExecutingBatchThenTheRequestsAheadSpreadOverTheInstances() {
    rate.served(4, 20_000_000);

    assertThat(rate.nanosPerBatch()).isEqualTo(20_000_000);
    assertThat(rate.predictedWaitNanos(1, 1)).isEqualTo(20_000_000L);
    assertThat(rate.predictedWaitNanos(201, 1)).isEqualTo(1_020_000_000L);
    assertThat(rate.predictedWaitNanos(201, 2)).isEqualTo(520_000_000L);
  }

  @Test
  void shouldCountAStalledBatchAsAtMostFourTimesTheAverage() {
    rate.served(1, 8_000);
    rate.served(1, 8_000_000_000L);

    assertThat(rate.nanosPerRequest()).isEqualTo(11_000);
  }

  @Test
  void shouldFollowALastingSlowdownWithinAFewDozenBatches() {
    rate.served(1, 1_000);
    for (int i = 0; i < 40; i++) {
      rate.served(1, 100_000);
    }

    assertThat(rate.nanosPerRequest()).isGreaterThan(90_000);
  }

  @Test
  void shouldIgnoreEmptyBatches() {
    rate.served(0, 1_000);

    assertThat(rate.nanosPerRequest()).isZero();
  }

  @Test
  void shouldIgnoreABatchMeasuredAsTakingNoTime() {
    rate.served(1, 0);

    assertThat(rate.nanosPerBatch()).isZero();
    assertThat(rate.predictedWaitNanos(3, 1)).isZero();
  }

  @Test
  void shouldPredictNoWaitWhenNothingIsQueued() {
    rate.served(1, 8_000);

    assertThat(rate.predictedWaitNanos(0, 2)).isZero();
  }

  @Test
  void shouldPredictAnEndlessWaitWhenNoInstanceIsLeft() {
    rate.served(1, 8_000);

    assertThat(rate.predictedWaitNanos(1, 0)).isEqualTo(Long.MAX_VALUE);
  }
}
