package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poll mode reloads a model when its files change, and only then: a routing change (the router
 * writes {@code <model>/routing.pbtxt}) or a hand edit of that file leaves the loaded versions, and
 * so their statistics, as they are. Polls here are run by the test, one at a time.
 */
class PollModeEndToEndTest {
  @TempDir Path repo;

  private RunningServer pollingServer() throws Exception {
    return RunningServer.start(
        TensorgateServer.builder()
            .modelRepository(repo)
            .controlMode(ControlMode.POLL)
            .pollSeconds(0));
  }

  private static long inferenceCount(RunningServer s) {
    return s.blocking()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
        .getModelStats(0)
        .getInferenceCount();
  }

  private static void infer(RunningServer s, int times) {
    for (int i = 0; i < times; i++) {
      s.blocking().modelInfer(Requests.simple(1));
    }
  }

  private static List<ModelIndex> index(RunningServer s) {
    return s.blocking()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList();
  }

  @Test
  void shouldKeepStatisticsCountingWhenARoutingChangeIsWrittenInPollMode() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = pollingServer()) {
      infer(s, 3);
      RoutingServiceGrpc.newBlockingStub(s.channel)
          .setLabel(
              SetLabelRequest.newBuilder()
                  .setModelName("simple")
                  .setLabel("stable")
                  .setVersion(1)
                  .build());
      assertThat(repo.resolve("simple/routing.pbtxt")).exists();

      s.server.repository().poll();
      infer(s, 2);

      assertThat(inferenceCount(s)).isEqualTo(5);
    }
  }

  @Test
  void shouldKeepStatisticsCountingWhenTheRoutingFileIsEditedByHand() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = pollingServer()) {
      infer(s, 2);
      Path tmp = repo.resolve("simple/routing.pbtxt.tmp");
      Files.writeString(tmp, "labels { key: \"stable\" value: 1 }\n");
      Files.move(tmp, repo.resolve("simple/routing.pbtxt"));

      s.server.repository().poll();
      infer(s, 1);

      assertThat(inferenceCount(s)).isEqualTo(3);
    }
  }

  @Test
  void shouldReloadWhenTheConfigChangesInPollMode() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = pollingServer()) {
      Path config = repo.resolve("simple/config.pbtxt");
      Files.writeString(
          config, Files.readString(config).replace("max_batch_size: 8", "max_batch_size: 4"));

      s.server.repository().poll();

      assertThat(
              s.blocking()
                  .modelConfig(ModelConfigRequest.newBuilder().setName("simple").build())
                  .getConfig()
                  .getMaxBatchSize())
          .isEqualTo(4);
    }
  }

  @Test
  void shouldDropAConfigParseErrorFromTheIndexOnceTheConfigParsesAgain() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path config = repo.resolve("simple/config.pbtxt");
    String good = Files.readString(config);
    try (RunningServer s = pollingServer()) {
      Files.writeString(config, good + "\nthis is { not pbtxt\n");
      s.server.repository().poll();
      assertThat(index(s))
          .singleElement()
          .satisfies(m -> assertThat(m.getReason()).contains("failed to parse config.pbtxt"));

      // Parses now, but the backend refuses it: the reason changes, the parse error is gone.
      Files.writeString(config, good.replace("dims: [ 16 ]", "dims: [ 8 ]"));
      s.server.repository().poll();

      assertThat(index(s))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.getState()).isEqualTo("READY");
                assertThat(m.getReason())
                    .startsWith("reload failed, previous version kept")
                    .doesNotContain("failed to parse");
              });
    }
  }
}
