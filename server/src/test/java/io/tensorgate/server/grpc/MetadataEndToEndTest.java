package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelConfigResponse;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerMetadataResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health, liveness, readiness and the metadata RPCs over a real Netty port. */
class MetadataEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("mlp_classifier");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void shouldReportLiveAndReadyWhenStarted() {
    assertThat(server.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive())
        .isTrue();
    assertThat(server.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isTrue();
  }

  @Test
  void shouldServeGrpcHealthForServerAndInferenceService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(
            health
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService("inference.GRPCInferenceService")
                        .build())
                .getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void shouldAnswerReadinessWhenAHealthCheckNamesAnyOtherService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel);

    HealthCheckResponse r =
        health.check(HealthCheckRequest.newBuilder().setService("triton").build());

    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void shouldListOnlyWorkingExtensionsWhenAskedForServerMetadata() {
    ServerMetadataResponse m =
        server.blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertThat(m.getName()).isEqualTo("triton");
    assertThat(m.getExtensionsList())
        .contains(
            "model_repository", "statistics", "system_shared_memory", "classification", "trace")
        .doesNotContain("cuda_shared_memory");
  }

  @Test
  void shouldDescribeBatchDimensionAsMinusOneWhenModelBatches() {
    ModelMetadataResponse m =
        server
            .blocking()
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build());
    assertThat(m.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(m.getVersionsList()).containsExactly("1");
    assertThat(m.getInputsList())
        .extracting(ModelMetadataResponse.TensorMetadata::getName)
        .containsExactly("INPUT0", "INPUT1");
    assertThat(m.getInputs(0).getDatatype()).isEqualTo("INT32");
    assertThat(m.getInputs(0).getShapeList()).containsExactly(-1L, 16L);
    assertThat(m.getOutputsList())
        .extracting(ModelMetadataResponse.TensorMetadata::getName)
        .containsExactly("OUTPUT0", "OUTPUT1");
  }

  @Test
  void shouldReturnCompletedConfigWhenAskedForModelConfig() {
    ModelConfigResponse c =
        server
            .blocking()
            .modelConfig(ModelConfigRequest.newBuilder().setName("mlp_classifier").build());
    assertThat(c.getConfig().getMaxBatchSize()).isEqualTo(32);
    assertThat(c.getConfig().getBackend()).isEqualTo("onnxruntime");
    assertThat(c.getConfig().getInstanceGroup(0).getCount()).isEqualTo(2);
    assertThat(c.getConfig().getVersionPolicy().getLatest().getNumVersions()).isEqualTo(1);
  }

  @Test
  void shouldReportModelReadyOnlyForLoadedVersions() {
    assertThat(ready("simple", "")).isTrue();
    assertThat(ready("simple", "1")).isTrue();
    assertThat(ready("simple", "2")).isFalse();
    assertThat(ready("nope", "")).isFalse();
  }

  private boolean ready(String name, String version) {
    return server
        .blocking()
        .modelReady(ModelReadyRequest.newBuilder().setName(name).setVersion(version).build())
        .getReady();
  }

  @Test
  void shouldAnswerNotFoundWhenMetadataNamesUnknownModel() {
    assertThatThrownBy(
            () ->
                server
                    .blocking()
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("Request for unknown model: 'nope' is not found");
            });
  }
}
