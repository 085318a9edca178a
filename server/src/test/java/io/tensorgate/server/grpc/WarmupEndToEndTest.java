package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model_warmup samples run on every instance before the model is READY. */
class WarmupEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldRunWarmupOnEveryInstanceBeforeReady() throws Exception {
    GateBackend.close("warm");
    GateBackend.open("warm");
    new TestRepository(repo)
        .withGateModel(
            "warm",
            "warm",
            "instance_group [{ count: 2 kind: KIND_CPU }]\n"
                + "model_warmup [{ name: \"zeros\" batch_size: 4 count: 3"
                + " inputs { key: \"INPUT0\" value: { data_type: TYPE_INT32 dims: [16] zero_data: true } } }]\n");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(GateBackend.executions("warm")).isEqualTo(2 * 3);
      assertThat(
              s.blocking()
                  .repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                  .getModels(0)
                  .getState())
          .isEqualTo("READY");
    }
  }

  @Test
  void shouldFailLoadWithReasonWhenWarmupInputUnknown() throws Exception {
    new TestRepository(repo)
        .withGateModel(
            "coldmodel",
            "cold",
            "model_warmup [{ name: \"bad\" batch_size: 1"
                + " inputs { key: \"NOPE\" value: { data_type: TYPE_INT32 dims: [16] zero_data: true } } }]\n");
    try (RunningServer s = RunningServer.start(repo)) {
      var m =
          s.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance()).getModels(0);
      assertThat(m.getState()).isEqualTo("UNAVAILABLE");
      assertThat(m.getReason()).contains("model_warmup 'bad' names unknown input 'NOPE'");
    }
  }
}
