package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TensorgateServerBuilder;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.testing.FaultBackend;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults (issue 6): a backend that throws, a backend that hangs, a corrupt model or config, and
 * clients that go away mid-request. Each fault stays with the request or model it hit.
 */
class FaultsEndToEndTest {
  @TempDir Path repo;
  private RunningServer server;

  @AfterEach
  void stop() throws InterruptedException {
    FaultBackend.releaseHung();
    if (server != null) {
      server.close();
    }
  }

  private RunningServer start(TensorgateServerBuilder builder) throws Exception {
    server = RunningServer.start(builder.modelRepository(repo));
    return server;
  }

  @Test
  void shouldFailOnlyTheThrowingBatchWithInternalWhenTheBackendThrows() throws Exception {
    new TestRepository(repo).withFaultModel("faulty", "");
    RunningServer s = start(TensorgateServer.builder());

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> s.blocking().modelInfer(Requests.gate("faulty", FaultBackend.THROW)));
    ModelInferResponse next = s.blocking().modelInfer(Requests.gate("faulty", 7));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("injected fault");
    assertThat(Requests.readInt32s(next.getRawOutputContents(0))).containsOnly(7);
  }

  @Test
  void shouldAnswerTheDeadlineAndReplaceTheInstanceWhenTheBackendHangs() throws Exception {
    new TestRepository(repo).withFaultModel("stuck", "");
    RunningServer s = start(TensorgateServer.builder().executionTimeout(Duration.ofMillis(300)));
    int opened = FaultBackend.instancesOpened();

    StatusRuntimeException late =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                s.blocking()
                    .withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                    .modelInfer(Requests.gate("stuck", FaultBackend.HANG)));
    await().atMost(Duration.ofSeconds(10)).until(() -> FaultBackend.instancesOpened() > opened);
    ModelInferResponse next = s.blocking().modelInfer(Requests.gate("stuck", 5));

    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(FaultBackend.hung()).isEqualTo(1);
    assertThat(Requests.readInt32s(next.getRawOutputContents(0))).containsOnly(5);
    assertThat(version(s, "stuck").inFlight()).isZero();
  }

  @Test
  void shouldFailTheHungRequestWithInternalWhenItHasNoDeadline() throws Exception {
    new TestRepository(repo).withFaultModel("stuck", "");
    RunningServer s = start(TensorgateServer.builder().executionTimeout(Duration.ofMillis(300)));

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> s.blocking().modelInfer(Requests.gate("stuck", FaultBackend.HANG)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("execution timeout");
  }

  @Test
  void shouldReportNotReadyAndRefuseAtOnceWhenEveryInstanceHungAndNoneCanBeReplaced()
      throws Exception {
    new TestRepository(repo)
        .withFaultModel(
            "stuck", "parameters { key: \"max_instances\" value: { string_value: \"1\" } }\n")
        .withFaultModel("healthy", "");
    RunningServer s = start(TensorgateServer.builder().executionTimeout(Duration.ofMillis(300)));

    StatusRuntimeException hung =
        assertThrows(
            StatusRuntimeException.class,
            () -> s.blocking().modelInfer(Requests.gate("stuck", FaultBackend.HANG)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> version(s, "stuck").scheduler().liveInstances() == 0);
    long before = System.nanoTime();
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                s.blocking()
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .modelInfer(Requests.gate("stuck", 1)));
    long refusalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

    assertThat(hung.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(refused.getStatus().getDescription()).contains("has no instance left");
    assertThat(refusalMillis).isLessThan(1_000);
    assertThat(ready(s, "stuck")).isFalse();
    assertThat(ready(s, "healthy")).isTrue();
    assertThat(s.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isFalse();
    assertThat(
            HealthGrpc.newBlockingStub(s.channel)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
    assertThat(
            Requests.readInt32s(
                s.blocking().modelInfer(Requests.gate("healthy", 3)).getRawOutputContents(0)))
        .containsOnly(3);
  }

  private static boolean ready(RunningServer s, String model) {
    return s.blocking()
        .modelReady(ModelReadyRequest.newBuilder().setName(model).build())
        .getReady();
  }

  @Test
  void shouldRefuseCorruptModelsWithAReasonWhileOtherModelsServe() throws Exception {
    TestRepository r = new TestRepository(repo).withSampleModel("simple");
    TestRepository.copyTree(repo.resolve("simple"), repo.resolve("garbage_onnx"));
    Files.writeString(repo.resolve("garbage_onnx/1/model.onnx"), "this is not an ONNX file");
    Files.writeString(
        repo.resolve("garbage_onnx/config.pbtxt"),
        Files.readString(repo.resolve("garbage_onnx/config.pbtxt"))
            .replace("\"simple\"", "\"garbage_onnx\""));
    TestRepository.copyTree(repo.resolve("simple"), repo.resolve("garbage_config"));
    Files.writeString(repo.resolve("garbage_config/config.pbtxt"), "max_batch_size: [ {{ oops");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(r.root())
                .controlMode(ControlMode.EXPLICIT)
                .loadModels(List.of("simple")));

    for (String broken : List.of("garbage_onnx", "garbage_config")) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  server
                      .blocking()
                      .repositoryModelLoad(
                          RepositoryModelLoadRequest.newBuilder().setModelName(broken).build()));
      assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK);
      assertThat(e.getStatus().getDescription()).as(broken).contains(broken).hasSizeGreaterThan(30);
    }
    boolean simpleReady =
        server
            .blocking()
            .modelReady(ModelReadyRequest.newBuilder().setName("simple").build())
            .getReady();
    ModelInferResponse answer = server.blocking().modelInfer(Requests.simple(1));

    assertThat(simpleReady).isTrue();
    assertThat(answer.getRawOutputContentsCount()).isEqualTo(2);
  }

  @Test
  void shouldReleaseEveryRequestWhenClientsDisconnectMidRequest() throws Exception {
    GateBackend.close("leak");
    new TestRepository(repo)
        .withGateModel("gated", "leak", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    RunningServer s = start(TensorgateServer.builder());
    int n = 20;
    List<Context.CancellableContext> calls = new ArrayList<>();
    CountDownLatch ended = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      Context.CancellableContext call = Context.current().withCancellation();
      calls.add(call);
      call.run(() -> s.async().modelInfer(Requests.gate("gated", 1), endsOnError(ended)));
    }
    LoadedVersion gated = version(s, "gated");
    await().atMost(Duration.ofSeconds(10)).until(() -> gated.inFlight() == n);

    calls.forEach(c -> c.cancel(null));
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    GateBackend.open("leak");

    // Created = released: every request the server took a reference for gave it back, and the
    // scheduler holds none of them.
    await().atMost(Duration.ofSeconds(10)).until(() -> gated.inFlight() == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> gated.scheduler().pendingCount() == 0);
    assertThat(s.blocking().modelInfer(Requests.gate("gated", 3)).getRawOutputContentsCount())
        .isEqualTo(1);
  }

  private static StreamObserver<ModelInferResponse> endsOnError(CountDownLatch ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse value) {}

      @Override
      public void onError(Throwable t) {
        ended.countDown();
      }

      @Override
      public void onCompleted() {}
    };
  }

  private static LoadedVersion version(RunningServer s, String model) {
    return s.server.repository().registry().get(model).ready().values().iterator().next();
  }
}
