package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StepScheduleTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void shouldStepUpUntilTheEndWhenEndGiven() {
    StepSchedule schedule = new StepSchedule(50, 10, 80, Duration.ofSeconds(5), Duration.ZERO);

    assertThat(schedule.valueAt(0)).isEqualTo(50);
    assertThat(schedule.valueAt(5 * SECOND - 1)).isEqualTo(50);
    assertThat(schedule.valueAt(5 * SECOND)).isEqualTo(60);
    assertThat(schedule.valueAt(60 * SECOND)).isEqualTo(80);
    assertThat(schedule.maxValue()).isEqualTo(80);
  }

  @Test
  void shouldStopChangingAfterMaxDurationWhenNoEndGiven() {
    StepSchedule schedule =
        new StepSchedule(10, 10, 0, Duration.ofSeconds(5), Duration.ofSeconds(60));

    assertThat(schedule.valueAt(59 * SECOND)).isEqualTo(120);
    assertThat(schedule.valueAt(600 * SECOND)).isEqualTo(130);
    assertThat(schedule.maxValue()).isEqualTo(130);
  }

  @Test
  void shouldStepEverySecondWhenLine() {
    StepSchedule line = StepSchedule.line(200, -2, 50, Duration.ZERO);

    assertThat(line.valueAt(SECOND)).isEqualTo(198);
    assertThat(line.valueAt(1000 * SECOND)).isEqualTo(50);
    assertThat(line.maxValue()).isEqualTo(200);
  }

  @Test
  void shouldBeUnboundedWhenSteppingUpWithoutEndOrMaxDuration() {
    assertThat(new StepSchedule(1, 1, 0, Duration.ofSeconds(1), Duration.ZERO).maxValue())
        .isInfinite();
  }

  @Test
  void shouldRefuseAStepAwayFromTheEnd() {
    assertThatThrownBy(() -> new StepSchedule(50, 10, 20, Duration.ofSeconds(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
