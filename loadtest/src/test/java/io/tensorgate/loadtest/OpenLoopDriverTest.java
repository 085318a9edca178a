package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenLoopDriverTest {

  private final ScheduledExecutorService answers = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    answers.shutdownNow();
  }

  /** Answers every request only after the window has ended, so slots stay taken throughout. */
  private InferTransport answeringAfter(long windowEnd, AtomicInteger sent) {
    return new InferTransport() {
      @Override
      public void infer(ModelInferRequest request, Callback callback) {
        sent.incrementAndGet();
        answers.schedule(
            () -> callback.onComplete(Status.OK, System.nanoTime()),
            windowEnd - System.nanoTime() + 1_000_000,
            TimeUnit.NANOSECONDS);
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void shouldCountClientSaturatedWhenEverySlotIsInUse() throws Exception {
    long start = System.nanoTime();
    LevelRecorder recorder = new LevelRecorder(start, start + 100_000_000L);
    AtomicInteger sent = new AtomicInteger();
    OpenLoopDriver driver =
        new OpenLoopDriver(
            answeringAfter(recorder.windowEnd(), sent),
            (sequence, slot) -> ModelInferRequest.getDefaultInstance(),
            new SlotPool(2));

    driver.run(1000, start, recorder, Duration.ofSeconds(5));

    LevelResult result = recorder.finish(LevelResult.RATE, 1000, 1, null);
    assertThat(sent).hasValue(2);
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
  void shouldMeasureLatencyFromIntendedSendTimeWhenAnswersAreLate() throws Exception {
    long start = System.nanoTime();
    LevelRecorder recorder = new LevelRecorder(start, start + 50_000_000L);
    OpenLoopDriver driver =
        new OpenLoopDriver(
            answeringAfter(recorder.windowEnd(), new AtomicInteger()),
            (sequence, slot) -> ModelInferRequest.getDefaultInstance(),
            new SlotPool(1000));

    driver.run(100, start, recorder, Duration.ofSeconds(5));

    LevelResult result = recorder.finish(LevelResult.RATE, 100, 1, null);
    assertThat(result.ok()).isEqualTo(5);
    // The first request was due at the start and answered after the window's end.
    assertThat(result.okLatencies().getMaxValue()).isGreaterThanOrEqualTo(50_000_000L);
  }
}
