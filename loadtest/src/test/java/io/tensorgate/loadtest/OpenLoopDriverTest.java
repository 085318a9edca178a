package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OpenLoopDriverTest {

  /** Holds every request unanswered until the test answers them, so slots stay taken. */
  private static final class HeldTransport implements InferTransport {
    final List<Callback> held = new CopyOnWriteArrayList<>();

    @Override
    public void infer(ModelInferRequest request, Callback callback) {
      held.add(callback);
    }

    void answerAll() {
      long now = System.nanoTime();
      held.forEach(callback -> callback.onComplete(Status.OK, now));
    }

    @Override
    public void close() {}
  }

  private static LevelResult runUnanswered(
      double rate, long windowNanos, int slots, HeldTransport transport) {
    long start = System.nanoTime();
    LevelRecorder recorder = new LevelRecorder(start, start + windowNanos);
    OpenLoopDriver driver =
        new OpenLoopDriver(
            transport,
            (sequence, slot) -> ModelInferRequest.getDefaultInstance(),
            new SlotPool(slots));

    assertThatThrownBy(() -> driver.run(rate, start, recorder, Duration.ofMillis(20)))
        .isInstanceOf(TimeoutException.class);
    transport.answerAll();
    return recorder.finish(LevelResult.RATE, rate, 1, null);
  }

  @Test
  void shouldCountClientSaturatedWhenEverySlotIsInUse() {
    HeldTransport transport = new HeldTransport();

    LevelResult result = runUnanswered(1000, 100_000_000L, 2, transport);

    assertThat(transport.held).hasSize(2);
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
  void shouldMeasureLatencyFromIntendedSendTimeWhenAnswersAreLate() {
    LevelResult result = runUnanswered(100, 50_000_000L, 1000, new HeldTransport());

    assertThat(result.ok()).isEqualTo(5);
    // The first request was due at the start and answered after the window's end.
    assertThat(result.okLatencies().getMaxValue()).isGreaterThanOrEqualTo(50_000_000L);
  }
}
