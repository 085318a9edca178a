package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 12: a server killed with SIGKILL after a RepositoryModelLoad with override files
 * leaves their folder under {@code <repo>/.tensorgate/overrides}; the next start removes it, but
 * never the folder of a server that still runs on the same repository.
 */
class OverrideLeftoversEndToEndTest {
  @TempDir Path repo;
  @TempDir Path logs;

  private static long modelFilesUnder(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().equals("model.onnx")).count();
    }
  }

  /** A server process in explicit mode that loaded 'fromfiles' from override files. */
  private ServerProcess serverWithAnOverride() throws Exception {
    ServerProcess p =
        ServerProcess.start(
            logs.resolve("killed.log"),
            "--model-repository=" + repo,
            "--model-control-mode=explicit",
            "--grpc-port=0",
            "--metrics-port=0",
            "--http-port=0");
    byte[] onnx = Files.readAllBytes(TestRepository.PROJECT.resolve("models/simple/1/model.onnx"));
    String json = "{\"name\":\"fromfiles\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8}";
    GRPCInferenceServiceGrpc.newBlockingStub(p.channel())
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder()
                .setModelName("fromfiles")
                .putParameters(
                    "config", ModelRepositoryParameter.newBuilder().setStringParam(json).build())
                .putParameters(
                    "file:1/model.onnx",
                    ModelRepositoryParameter.newBuilder()
                        .setBytesParam(ByteString.copyFrom(onnx))
                        .build())
                .build());
    assertThat(modelFilesUnder(repo.resolve(".tensorgate/overrides"))).isEqualTo(1);
    return p;
  }

  @Test
  void shouldRemoveTheOverrideFolderOfAKilledServerAtTheNextStart() throws Exception {
    try (ServerProcess killed = serverWithAnOverride()) {
      killed.kill();
    }

    try (RunningServer next = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      assertThat(modelFilesUnder(repo.resolve(".tensorgate/overrides"))).isZero();
    }
  }

  @Test
  void shouldKeepTheOverrideFolderOfAServerStillRunningOnTheSameRepository() throws Exception {
    try (ServerProcess running = serverWithAnOverride();
        RunningServer second = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      assertThat(modelFilesUnder(repo.resolve(".tensorgate/overrides"))).isEqualTo(1);
      assertThat(running.process.isAlive()).isTrue();
    }
  }
}
