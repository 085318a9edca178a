package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's start-up semantics with a model that fails to load: {@code --exit-on-error} stops the
 * start naming the model, otherwise the others serve, the broken model is listed UNAVAILABLE with
 * its reason, and {@code --strict-readiness} keeps ServerReady and the health service at not ready.
 */
class StartupSemanticsTest {
  @TempDir Path repo;

  /** simple, and a copy of it named 'broken' whose config.pbtxt does not parse. */
  private void repositoryWithABrokenConfig() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    TestRepository.copyTree(repo.resolve("simple"), repo.resolve("broken"));
    Files.writeString(repo.resolve("broken/config.pbtxt"), "name: \"broken\"\ninput [{ name: ");
  }

  private static TensorgateServerBuilder builder(Path repo) {
    return TensorgateServer.builder().modelRepository(repo);
  }

  private static List<ModelIndex> index(RunningServer s) {
    return s.blocking()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList();
  }

  private static boolean serverReady(RunningServer s) {
    return s.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
  }

  private static ServingStatus health(RunningServer s, String service) {
    return HealthGrpc.newBlockingStub(s.channel)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  @Test
  void shouldRefuseToStartNamingTheModelAndReasonWhenExitOnErrorAndAModelFails() throws Exception {
    repositoryWithABrokenConfig();

    assertThatThrownBy(() -> RunningServer.start(builder(repo).exitOnError(true)))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("'broken'")
        .hasMessageContaining("config.pbtxt")
        .hasMessageNotContaining(repo.toString());
  }

  @Test
  void shouldListAModelWhoseConfigDoesNotParseAsUnavailableWithItsReason() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo))) {
      List<ModelIndex> broken =
          index(s).stream().filter(m -> m.getName().equals("broken")).toList();
      assertThat(broken).hasSize(1);
      assertThat(broken.get(0).getState()).isEqualTo("UNAVAILABLE");
      assertThat(broken.get(0).getReason())
          .contains("failed to parse config.pbtxt")
          .doesNotContain(repo.toString());
    }
  }

  @Test
  void shouldServeTheOtherModelsWhenExitOnErrorIsOffAndAModelFails() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo).exitOnError(false))) {
      assertThat(
              Requests.readInt32s(
                  Requests.output(s.blocking().modelInfer(Requests.simple(1)), "OUTPUT0"))[2])
          .isEqualTo(3);
      assertThat(
              s.blocking()
                  .modelReady(ModelReadyRequest.newBuilder().setName("simple").build())
                  .getReady())
          .isTrue();
    }
  }

  @Test
  void shouldReportNotReadyUnderStrictReadinessWhenAModelFailedToLoad() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo).strictReadiness(true))) {
      assertThat(serverReady(s)).isFalse();
      assertThat(health(s, "")).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(health(s, "inference.GRPCInferenceService")).isEqualTo(ServingStatus.NOT_SERVING);
    }
  }

  @Test
  void shouldReportNotReadyForAnyHealthNameUnderStrictReadinessWhenAModelFailedToLoad()
      throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo).strictReadiness(true))) {
      assertThat(health(s, "triton")).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(health(s, "liveness")).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void shouldReportLiveWhileAModelIsUnavailable() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo))) {
      assertThat(health(s, "liveness")).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void shouldReportNotReadyUnderStrictReadinessWhenAVersionFailsInTheBackend() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withModel("corrupt", "corrupt.onnx", null, 1);
    Files.writeString(
        repo.resolve("corrupt/config.pbtxt"),
        "platform: \"onnxruntime_onnx\"\nmax_batch_size: 0\n"
            + "input [{ name: \"X\" data_type: TYPE_FP32 dims: [1] }]\n"
            + "output [{ name: \"Y\" data_type: TYPE_FP32 dims: [1] }]\n");

    try (RunningServer s = RunningServer.start(builder(repo))) {
      assertThat(index(s))
          .filteredOn(m -> m.getName().equals("corrupt"))
          .extracting(m -> m.getVersion() + ":" + m.getState())
          .containsExactly("1:UNAVAILABLE");
      assertThat(serverReady(s)).isFalse();
    }
  }

  @Test
  void shouldReportReadyWhenStrictReadinessIsOffAndAModelFailed() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s = RunningServer.start(builder(repo).strictReadiness(false))) {
      assertThat(serverReady(s)).isTrue();
      assertThat(health(s, "")).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void shouldBecomeReadyOnceTheBrokenModelLoads() throws Exception {
    repositoryWithABrokenConfig();

    try (RunningServer s =
        RunningServer.start(
            builder(repo).controlMode(ControlMode.EXPLICIT).loadModels(List.of("*")))) {
      assertThat(serverReady(s)).isFalse();
      Files.copy(
          repo.resolve("simple/config.pbtxt"),
          repo.resolve("broken/config.pbtxt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(
          repo.resolve("broken/config.pbtxt"),
          Files.readString(repo.resolve("broken/config.pbtxt"))
              .replace("name: \"simple\"", "name: \"broken\""));

      s.blocking()
          .repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName("broken").build());

      assertThat(serverReady(s)).isTrue();
      assertThat(health(s, "")).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void shouldStayReadyWhenAModelIsUnloadedOnRequest() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s =
        RunningServer.start(
            builder(repo).controlMode(ControlMode.EXPLICIT).loadModels(List.of("simple")))) {
      s.blocking()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());

      assertThat(serverReady(s)).isTrue();
    }
  }

  @Test
  void shouldNameTheServerInMetadataAsTheIdFlagSays() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = RunningServer.start(builder(repo).serverId("inference-eu-7"))) {
      var metadata = s.blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance());
      assertThat(metadata.getName()).isEqualTo("inference-eu-7");
      assertThat(metadata.getVersion()).isEqualTo(TensorgateServer.version());
    }
  }
}
