package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload is shed by predicted queue wait (issue 11 item 10): a model of known speed (50 ms per
 * request, one instance). Requests that would wait longer than the budget, or than their deadline
 * allows, are refused at once with UNAVAILABLE instead of queueing.
 */
class QueueWaitEndToEndTest {
  @TempDir Path repo;
  private RunningServer server;

  private void start(long budgetMillis) throws Exception {
    new TestRepository(repo)
        .withFaultModel(
            "slow", "parameters { key: \"delay_ms\" value: { string_value: \"50\" } }\n");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .maxQueueWait(Duration.ofMillis(budgetMillis)));
    // Measures the model's time per request.
    server.blocking().modelInfer(Requests.gate("slow", 1));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** One answer: its status and how long after sending it came. */
  private record Answer(Status.Code code, String description, long millis) {}

  private List<Answer> sendAtOnce(int count, long deadlineMillis) throws InterruptedException {
    List<Answer> answers = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      long sent = System.nanoTime();
      var stub = server.async();
      if (deadlineMillis > 0) {
        stub = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
      }
      stub.modelInfer(
          Requests.gate("slow", 2),
          new StreamObserver<>() {
            @Override
            public void onNext(ModelInferResponse r) {}

            @Override
            public void onError(Throwable t) {
              Status s = Status.fromThrowable(t);
              answers.add(new Answer(s.getCode(), s.getDescription(), elapsed(sent)));
              done.countDown();
            }

            @Override
            public void onCompleted() {
              answers.add(new Answer(Status.Code.OK, null, elapsed(sent)));
              done.countDown();
            }
          });
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).as("every request answered").isTrue();
    return answers;
  }

  private static long elapsed(long sentNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);
  }

  @Test
  void shouldRefuseAtOnceTheRequestsThatWouldWaitLongerThanTheBudget() throws Exception {
    start(200);
    List<Answer> answers = sendAtOnce(30, 0);

    List<Answer> ok = answers.stream().filter(a -> a.code() == Status.Code.OK).toList();
    List<Answer> refused = answers.stream().filter(a -> a.code() != Status.Code.OK).toList();
    assertThat(ok).isNotEmpty();
    assertThat(refused).isNotEmpty();
    assertThat(refused)
        .allSatisfy(
            a -> {
              assertThat(a.code()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(a.description()).startsWith("Exceeds maximum queue wait");
            });
    long slowestRefusal = refused.stream().mapToLong(Answer::millis).max().orElseThrow();
    long slowestAdmitted = ok.stream().mapToLong(Answer::millis).max().orElseThrow();
    assertThat(slowestRefusal).isLessThan(slowestAdmitted);
  }

  @Test
  void shouldRefuseWithUnavailableRatherThanTimeOutWhenTheDeadlineIsTooClose() throws Exception {
    start(60_000);
    // At least 2 s of work queued (50 ms each): more than the deadline below.
    sendAtOnceWithoutWaiting(40);

    StatusRuntimeException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .blocking()
                    .withDeadlineAfter(1, TimeUnit.SECONDS)
                    .modelInfer(Requests.gate("slow", 3)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).contains("left before the request's deadline");
  }

  private void sendAtOnceWithoutWaiting(int count) {
    for (int i = 0; i < count; i++) {
      server
          .async()
          .modelInfer(
              Requests.gate("slow", 4),
              new StreamObserver<>() {
                @Override
                public void onNext(ModelInferResponse r) {}

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
    }
  }
}
