package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class LevelRecorderTest {

  private final LevelRecorder recorder = new LevelRecorder(1_000, 0, null);

  private LevelResult finish(LevelRecorder recorder) {
    return recorder.finish(LevelResult.CONCURRENCY, 1, 1, 1_000, RunControl.NORMAL, null);
  }

  @Test
  void shouldIgnoreCallsSentDuringTheWarmUpWhenRecording() {
    recorder.record(999, 1_500, Status.OK);
    recorder.record(1_000, 1_300, Status.OK);
    recorder.record(2_000, 2_500, Status.OK);

    LevelResult result = finish(recorder);

    assertThat(result.count()).isEqualTo(2);
    assertThat(result.okLatencies().getMinValue()).isEqualTo(300);
  }

  @Test
  void shouldDropTheFirstAnswersWhenSkipFirstGiven() {
    LevelRecorder skipping = new LevelRecorder(0, 2, null);
    skipping.record(10, 110, Status.OK);
    skipping.record(10, 210, Status.INTERNAL);
    skipping.record(10, 310, Status.OK);

    LevelResult result = finish(skipping);

    assertThat(result.count()).isEqualTo(1);
    assertThat(result.okLatencies().getMaxValue()).isEqualTo(300);
    assertThat(result.statusCounts()).containsOnlyKeys("OK");
  }

  @Test
  void shouldRecordNothingWhenFrozen() {
    recorder.record(1_100, 1_200, Status.OK);
    recorder.freeze();
    recorder.record(1_100, 1_300, Status.UNAVAILABLE);

    assertThat(finish(recorder).count()).isEqualTo(1);
  }

  @Test
  void shouldKeepOneDetailPerCallWhenDetailsAsked() {
    CallDetails details = new CallDetails();
    LevelRecorder detailed = new LevelRecorder(0, 0, details);
    detailed.record(10, 1_010, Status.OK);
    detailed.record(10, 2_010, Status.NOT_FOUND.withDescription("no model"));

    assertThat(details.calls())
        .extracting(
            CallDetails.Call::latencyNanos, CallDetails.Call::status, CallDetails.Call::error)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1_000L, "OK", null),
            org.assertj.core.groups.Tuple.tuple(
                2_000L, "NotFound", "rpc error: code = NotFound desc = no model"));
  }

  @Test
  void shouldCountStatusesAndMessagesLikeGhzWhenRequestsFail() {
    recorder.record(1_100, 1_200, Status.OK);
    recorder.record(1_100, 1_200, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    recorder.record(1_100, 1_200, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    recorder.record(1_100, 1_900, Status.DEADLINE_EXCEEDED.withDescription("deadline"));

    LevelResult result = finish(recorder);

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

    LevelResult result = finish(recorder);

    assertThat(result.errorCounts()).hasSize(LevelRecorder.MAX_ERROR_MESSAGES + 1);
    assertThat(result.errorCounts()).containsEntry("(other errors)", 10L);
  }
}
