package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class LevelRecorderTest {

  private final LevelRecorder recorder = new LevelRecorder(1_000, 2_000);

  @Test
  void shouldIgnoreRequestsSentOutsideTheWindowWhenRecording() {
    recorder.record(999, 1_500, Status.OK);
    recorder.record(2_000, 2_500, Status.OK);
    recorder.record(1_000, 1_300, Status.OK);

    LevelResult result = recorder.finish(LevelResult.CONCURRENCY, 1, 1, null);

    assertThat(result.count()).isEqualTo(1);
    assertThat(result.okLatencies().getMaxValue()).isEqualTo(300);
  }

  @Test
  void shouldCountStatusesAndMessagesLikeGhzWhenRequestsFail() {
    recorder.record(1_100, 1_200, Status.OK);
    recorder.record(1_100, 1_200, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    recorder.record(1_100, 1_200, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    recorder.record(1_100, 1_900, Status.DEADLINE_EXCEEDED.withDescription("deadline"));

    LevelResult result = recorder.finish(LevelResult.CONCURRENCY, 1, 1, null);

    assertThat(result.statusCounts())
        .containsEntry("OK", 1L)
        .containsEntry("Unavailable", 2L)
        .containsEntry("DeadlineExceeded", 1L);
    assertThat(result.errorCounts())
        .containsEntry("rpc error: code = Unavailable desc = Exceeds maximum queue size", 2L);
    assertThat(result.errors()).isEqualTo(3);
    assertThat(result.latencySumNanos()).isEqualTo(100 + 100 + 100 + 800);
  }

  @Test
  void shouldSpellCancelledAsGoDoesWhenNamingStatuses() {
    assertThat(LevelRecorder.statusName(Status.Code.CANCELLED)).isEqualTo("Canceled");
    assertThat(LevelRecorder.statusName(Status.Code.RESOURCE_EXHAUSTED))
        .isEqualTo("ResourceExhausted");
  }

  @Test
  void shouldKeepErrorKeysBoundedWhenMessagesAreAllDifferent() {
    for (int i = 0; i < LevelRecorder.MAX_ERROR_MESSAGES + 10; i++) {
      recorder.record(1_100, 1_200, Status.INTERNAL.withDescription("error " + i));
    }

    LevelResult result = recorder.finish(LevelResult.CONCURRENCY, 1, 1, null);

    assertThat(result.errorCounts()).hasSize(LevelRecorder.MAX_ERROR_MESSAGES + 1);
    assertThat(result.errorCounts()).containsEntry("(other errors)", 10L);
  }
}
