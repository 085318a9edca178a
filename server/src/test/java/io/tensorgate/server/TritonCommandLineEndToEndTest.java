package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tensorgate} process started the way Triton users start {@code tritonserver}: a
 * deployment's command line of Triton flags serves, and a model that fails at start stops the
 * server with one line (Triton's {@code --exit-on-error}, on by default).
 */
class TritonCommandLineEndToEndTest {
  @TempDir Path repo;
  @TempDir Path logs;

  @Test
  void shouldServeWhenStartedWithARealisticTritonCommandLine() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_identity");
    Files.createDirectories(repo.resolve("simple/configs"));
    Files.writeString(
        repo.resolve("simple/configs/cpu.pbtxt"),
        Files.readString(repo.resolve("simple/config.pbtxt"))
            .replace("max_batch_size: 8", "max_batch_size: 2"));

    try (ServerProcess server =
        ServerProcess.start(
            logs.resolve("server.log"),
            "--model-repository=" + repo,
            "--id=tensorgate-eu-1",
            "--model-control-mode=explicit",
            "--load-model=simple",
            "--load-model",
            "simple_identity",
            "--model-config-name=cpu",
            "--strict-model-config=false",
            "--strict-readiness=true",
            "--exit-on-error=true",
            "--exit-timeout-secs=10",
            "--model-load-thread-count=2",
            "--backend-config=onnxruntime,default-max-batch-size=8",
            "--rate-limit=off",
            "--allow-http=false",
            "--allow-grpc=true",
            "--grpc-address=127.0.0.1",
            "--grpc-port=0",
            "--grpc-infer-allocation-pool-size=16",
            "--grpc-keepalive-time=60000",
            "--grpc-keepalive-timeout=5000",
            "--grpc-keepalive-permit-without-calls=1",
            "--grpc-http2-max-pings-without-data=0",
            "--grpc-http2-min-recv-ping-interval-without-data=5000",
            "--grpc-http2-max-ping-strikes=2",
            "--grpc-infer-response-compression-level=none",
            "--allow-metrics=true",
            "--metrics-address=127.0.0.1",
            "--metrics-port=0",
            "--allow-gpu-metrics=false",
            "--allow-cpu-metrics",
            "0",
            "--metrics-interval-ms=2000",
            "--allow-sagemaker=false",
            "--allow-vertex-ai=false",
            "--pinned-memory-pool-byte-size=0",
            "--cuda-memory-pool-byte-size=0:0",
            "--log-verbose=0",
            "--trace-config",
            "level=OFF")) {
      var stub =
          GRPCInferenceServiceGrpc.newBlockingStub(server.channel())
              .withDeadlineAfter(30, TimeUnit.SECONDS);

      assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
      assertThat(stub.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName())
          .isEqualTo("tensorgate-eu-1");
      assertThat(
              Requests.readInt32s(Requests.output(stub.modelInfer(Requests.simple(2)), "OUTPUT0"))[
                  17])
          .isEqualTo(18);
      assertThat(
              stub.modelConfig(ModelConfigRequest.newBuilder().setName("simple").build())
                  .getConfig()
                  .getMaxBatchSize())
          .as("read from configs/cpu.pbtxt")
          .isEqualTo(2);
    }
  }

  @Test
  void shouldExitNonZeroWithOneLineNamingTheModelWhenAModelFailsToLoadAtStart() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    TestRepository.copyTree(repo.resolve("simple"), repo.resolve("broken"));
    Files.writeString(repo.resolve("broken/config.pbtxt"), "name: \"broken\"\nmax_batch_size: [");

    try (ServerProcess server =
        ServerProcess.start(
            logs.resolve("server.log"),
            "--model-repository",
            repo.toString(),
            "--grpc-port",
            "0",
            "--metrics-port",
            "0",
            "--http-port",
            "0")) {
      assertThat(server.awaitExit()).isEqualTo(1);
      String out = server.output();
      assertThat(out.lines().filter(l -> l.contains("tensorgate failed to start")))
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l)
                      .contains("failed to load 'broken'")
                      .contains("failed to parse config.pbtxt")
                      .doesNotContain(repo.toString()));
      assertThat(out).doesNotContain("\tat ").doesNotContain("Started GRPCInferenceService");
    }
  }

  @Test
  void shouldServeTheOthersWhenExitOnErrorIsTurnedOffTritonStyle() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    TestRepository.copyTree(repo.resolve("simple"), repo.resolve("broken"));
    Files.writeString(repo.resolve("broken/config.pbtxt"), "name: \"broken\"\nmax_batch_size: [");

    try (ServerProcess server =
        ServerProcess.start(
            logs.resolve("server.log"),
            "--model-repository",
            repo.toString(),
            "--exit-on-error",
            "0",
            "--grpc-port",
            "0",
            "--metrics-port",
            "0",
            "--http-port",
            "0")) {
      var stub =
          GRPCInferenceServiceGrpc.newBlockingStub(server.channel())
              .withDeadlineAfter(30, TimeUnit.SECONDS);

      assertThat(
              Requests.readInt32s(Requests.output(stub.modelInfer(Requests.simple(1)), "OUTPUT0"))[
                  0])
          .isEqualTo(1);
      assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
          .as("--strict-readiness is on by default")
          .isFalse();
    }
  }
}
