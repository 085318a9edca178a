package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  private static final long SECOND = 1_000_000_000L;
  private final StringWriter out = new StringWriter();
  private final LoadPlan plan = LoadPlan.closed(4, Duration.ofSeconds(10), Duration.ZERO);
  private final RunControl control = new RunControl(0, plan);
  private final LevelRecorder recorder = new LevelRecorder(0, 0, null);

  private ProgressLine line(boolean terminal) {
    return new ProgressLine(new PrintWriter(out, true), terminal, plan, control, recorder);
  }

  @Test
  void shouldWriteNothingWhenNotATerminal() {
    try (ProgressLine progress = line(false)) {
      progress.tick(5 * SECOND);
    }

    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldWriteNothingDuringTheFirstTwoSeconds() {
    try (ProgressLine progress = line(true)) {
      progress.tick(SECOND);
    }

    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldShowCallsRateErrorsAndElapsedThenEraseItWhenOnATerminal() {
    for (int i = 0; i < 30; i++) {
      recorder.record(1, 2, Status.OK);
    }
    recorder.record(1, 2, Status.UNAVAILABLE);

    try (ProgressLine progress = line(true)) {
      progress.tick(3 * SECOND);
    }

    assertThat(out.toString())
        .isEqualTo("\r\033[K[3.0s / 10.0s] 31 calls, 10.3 calls/s, 1 errors\r\033[K");
  }
}
