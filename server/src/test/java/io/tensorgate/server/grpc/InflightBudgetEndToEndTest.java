package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --max-inflight-request-bytes}: requests that do not fit are refused before decoding. */
class InflightBudgetEndToEndTest {
  @TempDir Path repo;
  private RunningServer server;
  // A gate a test closed: opened again after it, so that a failing test does not hold shutdown.
  private String gate;

  @AfterEach
  void stop() throws Exception {
    if (gate != null) {
      GateBackend.open(gate);
    }
    if (server != null) {
      server.close();
    }
  }

  private void closeGate(String name) {
    gate = name;
    GateBackend.close(name);
  }

  private void start(long budget) throws Exception {
    server =
        RunningServer.start(
            TensorgateServer.builder().modelRepository(repo).maxInflightRequestBytes(budget));
  }

  private double reserved() {
    return server.server.meterRegistry().get("tensorgate.inflight.request").gauge().value();
  }

  private static ModelInferRequest emptyStrings(int count) {
    return ModelInferRequest.newBuilder()
        .setModelName("simple_identity")
        .addInputs(input("INPUT0", "BYTES", 1, count))
        .addRawInputContents(Requests.bytesTensor(new byte[count][0]))
        .build();
  }

  @Test
  void shouldRefuseWithResourceExhaustedWhenBytesElementsNeedMoreThanTheBudget() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    start(1 << 20);
    // 80 KB on the wire, but 20,000 elements at 64 bytes each: about 1.36 MB once decoded.
    ModelInferRequest tooMany = emptyStrings(20_000);

    assertThatThrownBy(() -> server.blocking().modelInfer(tooMany))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "request for model 'simple_identity' needs about 1360000 bytes once"
                          + " decoded, more than --max-inflight-request-bytes (1048576)");
            });
    var stats =
        server
            .blocking()
            .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple_identity").build())
            .getModelStats(0);
    assertThat(stats.getExecutionCount()).isZero();
    assertThat(stats.getInferenceStats().getFail().getCount()).isEqualTo(1);
  }

  @Test
  void shouldServeABytesRequestThatFitsAndGiveTheBudgetBack() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    start(1 << 20);

    ModelInferResponse r = server.blocking().modelInfer(emptyStrings(10_000));

    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 10_000L);
    // Given back right after the answer is sent.
    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 0);
  }

  @Test
  void shouldRefuseWhileOtherRequestsHoldTheBudgetAndServeOnceTheyAreAnswered() throws Exception {
    closeGate("budget");
    new TestRepository(repo)
        .withGateModel("gated", "budget", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    // Each gate request holds 64 bytes (INT32 [1,16]): one fits, two do not.
    start(100);
    CompletableFuture<ModelInferResponse> held = new CompletableFuture<>();
    server.async().modelInfer(Requests.gate("gated", 1), completing(held));
    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 64);

    assertThatThrownBy(() -> server.blocking().modelInfer(Requests.gate("gated", 2)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription())
                  .startsWith("requests in flight hold 64 of 100 bytes");
            });
    GateBackend.open("budget");
    assertThat(held.get(10, TimeUnit.SECONDS).getRawOutputContentsCount()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 0);
    assertThat(server.blocking().modelInfer(Requests.gate("gated", 3)).getRawOutputContentsCount())
        .isEqualTo(1);
  }

  @Test
  void shouldGiveTheBudgetBackWhenClientsCancelExecutingAndQueuedRequests() throws Exception {
    closeGate("budget-cancel");
    new TestRepository(repo)
        .withGateModel("gated", "budget-cancel", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    start(1 << 20);
    int n = 10;
    List<Context.CancellableContext> calls = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      Context.CancellableContext call = Context.current().withCancellation();
      calls.add(call);
      call.run(
          () ->
              server
                  .async()
                  .modelInfer(
                      Requests.gate("gated", 1),
                      new StreamObserver<>() {
                        @Override
                        public void onNext(ModelInferResponse value) {}

                        @Override
                        public void onError(Throwable t) {
                          ended.countDown();
                        }

                        @Override
                        public void onCompleted() {}
                      }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 64.0 * n);

    calls.forEach(c -> c.cancel(null));
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    GateBackend.open("budget-cancel");

    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 0);
  }

  @Test
  void shouldGiveTheBudgetBackWhenARequestFailsValidation() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    start(1 << 20);
    ModelInferRequest wrongShape =
        emptyStrings(3).toBuilder()
            .setInputs(0, input("INPUT0", "BYTES", 1, 4))
            .build(); // 3 elements framed, 4 declared

    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> server.blocking().modelInfer(wrongShape))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 0);
  }

  @Test
  void shouldAnswerOnTheStreamAndKeepItOpenWhenOneStreamedRequestDoesNotFit() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    start(1 << 20);
    List<ModelStreamInferResponse> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<ModelInferRequest> out =
        server
            .async()
            .modelStreamInfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ModelStreamInferResponse r) {
                    got.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    end.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    end.complete(Status.OK);
                  }
                });

    out.onNext(emptyStrings(20_000).toBuilder().setId("big").build());
    out.onNext(emptyStrings(2).toBuilder().setId("small").build());
    out.onCompleted();

    assertThat(end.get(20, TimeUnit.SECONDS).isOk()).isTrue();
    assertThat(got).hasSize(2);
    assertThat(got)
        .anySatisfy(
            r ->
                assertThat(r.getErrorMessage())
                    .startsWith("request for model 'simple_identity' needs about 1360000 bytes"));
    assertThat(got).anySatisfy(r -> assertThat(r.getInferResponse().getId()).isEqualTo("small"));
    await().atMost(Duration.ofSeconds(10)).until(() -> reserved() == 0);
  }

  @Test
  void shouldRefuseANegativeBudgetNamingTheFlag() {
    assertThatThrownBy(() -> TensorgateServer.builder().maxInflightRequestBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--max-inflight-request-bytes must be >= 0, got -1");
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    };
  }
}
