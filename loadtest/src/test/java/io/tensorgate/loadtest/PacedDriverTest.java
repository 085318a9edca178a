package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.ServerLiveRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacedDriverTest {

  private final EncodedRequest request = EncodedRequest.of(ServerLiveRequest.getDefaultInstance());

  @AfterEach
  void release() {
    request.close();
  }

  private static LoadPlan plan(
      double rps, boolean async, int workers, long total, Duration duration) {
    return new LoadPlan(
        workers,
        null,
        rps,
        null,
        async,
        2,
        total,
        duration,
        LoadPlan.DurationStop.WAIT,
        Duration.ZERO,
        Duration.ofSeconds(1));
  }

  private LevelResult run(LoadPlan plan, HeldTransport transport) throws Exception {
    RunControl control = new RunControl(System.nanoTime(), plan);
    LevelRecorder recorder = new LevelRecorder(control.windowStart(), 0, null);
    new PacedDriver(transport, new NetworkRequests(java.util.List.of(request)))
        .run(plan, control, recorder);
    transport.answerAll();
    return recorder.finish(LevelResult.RATE, plan.rps(), 1, 1, control.endReason(), null);
  }

  @Test
  void shouldCountClientSaturatedWhenEveryAsyncSlotIsInUse() throws Exception {
    HeldTransport transport = new HeldTransport(false);

    LevelResult result =
        run(plan(1000, true, 1, Long.MAX_VALUE, Duration.ofMillis(100)), transport);

    assertThat(result.count()).isEqualTo(100);
    assertThat(result.ok()).isEqualTo(2);
    assertThat(result.saturated()).isEqualTo(98);
    assertThat(result.statusCounts())
        .containsEntry(LevelRecorder.SATURATED_STATUS, 98L)
        .containsEntry("OK", 2L);
    assertThat(result.errorCounts().keySet())
        .singleElement()
        .asString()
        .startsWith("client saturated");
  }

  @Test
  void shouldMeasureLatencyFromIntendedSendTimeWhenAsyncAnswersAreLate() throws Exception {
    LevelResult result =
        run(plan(100, true, 1, Long.MAX_VALUE, Duration.ofMillis(50)), new HeldTransport(false));

    assertThat(result.ok()).isEqualTo(2);
    // The first call was due at the start and answered after the duration's end.
    assertThat(result.okLatencies().getMaxValue()).isGreaterThanOrEqualTo(50_000_000L);
  }

  @Test
  void shouldWaitForAFreeWorkerInsteadOfSaturatingWhenNotAsync() throws Exception {
    HeldTransport transport = new HeldTransport(false);

    LevelResult result =
        run(plan(1000, false, 3, Long.MAX_VALUE, Duration.ofMillis(100)), transport);

    assertThat(result.count()).isEqualTo(3);
    assertThat(result.saturated()).isZero();
    assertThat(result.endReason()).isEqualTo(RunControl.TIMEOUT);
  }

  @Test
  void shouldSendExactlyTheTotalWhenTotalGiven() throws Exception {
    HeldTransport transport = new HeldTransport(true);

    LevelResult result = run(plan(2000, false, 1, 25, Duration.ZERO), transport);

    assertThat(transport.lanes).hasSize(25);
    assertThat(result.count()).isEqualTo(25);
    assertThat(result.endReason()).isEqualTo(RunControl.NORMAL);
  }
}
