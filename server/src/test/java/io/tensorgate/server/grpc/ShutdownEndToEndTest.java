package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown as on SIGTERM: with requests executing and queued at the moment of the signal,
 * readiness goes false, new calls are refused, and every accepted request still succeeds (Triton's
 * shutdown test).
 */
class ShutdownEndToEndTest {
  @TempDir Path repo;

  /**
   * Repeated: losing an answer to {@code shutdownNow()} was a race (about one run in ten before
   * GracefulDrain waited for the calls to close), so a single run proves little. 20 runs take ~5 s.
   */
  @RepeatedTest(20)
  void shouldFinishQueuedRequestsAndRefuseNewOnesWhenShuttingDown() throws Exception {
    GateBackend.close("drain");
    new TestRepository(repo)
        .withGateModel("gated", "drain", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    RunningServer s = RunningServer.start(repo);
    int n = 6;
    CountDownLatch done = new CountDownLatch(n);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<ModelInferResponse> answers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < n; i++) {
      s.async()
          .modelInfer(
              Requests.gate("gated", i),
              new StreamObserver<>() {
                @Override
                public void onNext(ModelInferResponse r) {
                  answers.add(r);
                }

                @Override
                public void onError(Throwable t) {
                  errors.add(t);
                  done.countDown();
                }

                @Override
                public void onCompleted() {
                  done.countDown();
                }
              });
    }
    // One request executes (held at the gate), the other five wait in the queue.
    await().atMost(Duration.ofSeconds(10)).until(() -> GateBackend.waiting("drain") == 1);
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(s.server::shutdown);
    await().atMost(Duration.ofSeconds(10)).until(() -> !s.server.isReady());

    // Readiness goes false just before the listener stops taking calls: a call that still gets in
    // must hear "not ready"; soon every new call is refused.
    await().atMost(Duration.ofSeconds(10)).until(() -> newReadyCall(s) == Status.Code.UNAVAILABLE);

    GateBackend.open("drain");
    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    stopping.get(20, TimeUnit.SECONDS);
    assertThat(errors).isEmpty();
    assertThat(answers).hasSize(n);
    assertThat(GateBackend.executions("drain")).isEqualTo(n);
    s.channel.shutdownNow();
  }

  @Test
  void shouldNotWaitTheWholeExitTimeoutForAnIdleStreamWhenShuttingDown() throws Exception {
    new TestRepository(repo)
        .withGateModel("open", "stream-open", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    RunningServer s = RunningServer.start(repo); // exit timeout 10 s
    CountDownLatch answered = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    StreamObserver<io.tensorgate.proto.inference.ModelInferRequest> requests =
        s.async()
            .modelStreamInfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(io.tensorgate.proto.inference.ModelStreamInferResponse r) {
                    answered.countDown();
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    ended.countDown();
                  }
                });
    requests.onNext(Requests.gate("open", 1));
    assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    s.server.shutdown();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    // The stream's one request was answered; the client never half-closed. Shutdown gives such
    // streams a short grace (GracefulDrain.STREAM_GRACE_NANOS, 2 s), not the whole exit timeout.
    assertThat(tookMillis).isLessThan(6_000);
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    s.channel.shutdownNow();
  }

  /** A new ServerReady call: OK (after checking it says "not ready") or the refusal's code. */
  private static Status.Code newReadyCall(RunningServer s) {
    try {
      boolean ready =
          io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.newBlockingStub(s.channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .serverReady(ServerReadyRequest.getDefaultInstance())
              .getReady();
      assertThat(ready).as("ServerReady while stopping").isFalse();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
