package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.ServerLiveRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClosedLoopDriverTest {

  private final EncodedRequest request = EncodedRequest.of(ServerLiveRequest.getDefaultInstance());
  private final ExecutorService driverThread = Executors.newSingleThreadExecutor();

  @AfterEach
  void release() {
    driverThread.shutdownNow();
    request.close();
  }

  private static LoadPlan plan(int workers, StepSchedule schedule, long total, Duration duration) {
    return new LoadPlan(
        workers,
        schedule,
        0,
        null,
        false,
        0,
        total,
        duration,
        LoadPlan.DurationStop.WAIT,
        Duration.ZERO,
        Duration.ofSeconds(1));
  }

  private LevelResult run(LoadPlan plan, CallTransport transport) throws Exception {
    RunControl control = new RunControl(System.nanoTime(), plan);
    LevelRecorder recorder = new LevelRecorder(control.windowStart(), 0, null);
    new ClosedLoopDriver(transport, new NetworkRequests(List.of(request)))
        .run(plan, control, recorder);
    assertThat(control.awaitDrained(Duration.ofSeconds(5))).isTrue();
    return recorder.finish(
        LevelResult.CONCURRENCY, plan.concurrency(), 1, 1, control.endReason(), null);
  }

  @Test
  void shouldMakeExactlyTheTotalCallsWhenTotalGiven() throws Exception {
    HeldTransport transport = new HeldTransport(true);

    LevelResult result = run(plan(4, null, 1000, Duration.ZERO), transport);

    assertThat(result.count()).isEqualTo(1000);
    assertThat(transport.lanes).hasSize(1000);
    assertThat(result.endReason()).isEqualTo(RunControl.NORMAL);
  }

  @Test
  void shouldKeepOneCallPerWorkerInFlightWhenAnswersAreHeld() throws Exception {
    HeldTransport transport = new HeldTransport(false);
    CountDownLatch sent = transport.expectSends(5);
    LoadPlan plan = plan(5, null, Long.MAX_VALUE, Duration.ofMillis(200));
    RunControl control = new RunControl(System.nanoTime(), plan);
    LevelRecorder recorder = new LevelRecorder(control.windowStart(), 0, null);
    Future<?> driving =
        driverThread.submit(
            () -> {
              new ClosedLoopDriver(transport, new NetworkRequests(List.of(request)))
                  .run(plan, control, recorder);
              return null;
            });

    assertThat(sent.await(5, TimeUnit.SECONDS)).isTrue();
    driving.get(5, TimeUnit.SECONDS);
    assertThat(transport.held).hasSize(5);
    assertThat(control.inFlight()).isEqualTo(5);
    transport.answerAll();
    assertThat(control.awaitDrained(Duration.ofSeconds(5))).isTrue();
    assertThat(transport.lanes).hasSize(5);
  }

  @Test
  void shouldAddWorkersOnTheStepScheduleWhenConcurrencyScheduleIsStep() throws Exception {
    HeldTransport transport = new HeldTransport(false);
    CountDownLatch three = transport.expectSends(3);
    StepSchedule schedule = new StepSchedule(1, 1, 3, Duration.ofMillis(30), Duration.ZERO);
    LoadPlan plan = plan(0, schedule, Long.MAX_VALUE, Duration.ofSeconds(5));
    RunControl control = new RunControl(System.nanoTime(), plan);
    LevelRecorder recorder = new LevelRecorder(control.windowStart(), 0, null);
    Future<?> driving =
        driverThread.submit(
            () -> {
              new ClosedLoopDriver(transport, new NetworkRequests(List.of(request)))
                  .run(plan, control, recorder);
              return null;
            });

    assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
    control.stop(RunControl.CANCEL);
    driving.get(5, TimeUnit.SECONDS);
    assertThat(transport.lanes).containsExactly(0, 1, 2);
  }
}
