package io.tensorgate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics across a reload, as Triton keeps them: ModelStatistics restart with a changed model (a
 * new model object) and go on with an unchanged one (updated in place); the Prometheus counters go
 * on either way (one metric reporter per model version label set, shared by the reloaded model);
 * after an unload the series leave and a later load starts them from zero.
 */
class ReloadStatisticsEndToEndTest {
  private static final String[] SIMPLE = {"model", "simple", "version", "1"};

  @TempDir Path repo;

  private RunningServer start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    return RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"));
  }

  /** Sends n requests and waits until all are counted (just after each answer is sent). */
  private static void infer(RunningServer s, int n) {
    long before = statistics(s).getInferenceCount();
    for (int i = 0; i < n; i++) {
      s.blocking().modelInfer(Requests.simple(1));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> statistics(s).getInferenceCount() == before + n);
  }

  private static void load(RunningServer s) {
    s.blocking()
        .repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder().setModelName("simple").build());
  }

  private static ModelStatistics statistics(RunningServer s) {
    return s.blocking()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
        .getModelStats(0);
  }

  /** Makes the version's model file look rewritten (a newer modification time). */
  private void touchModelFile() throws Exception {
    Path file = repo.resolve("simple/1/model.onnx");
    Files.setLastModifiedTime(
        file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 10_000));
  }

  @Test
  void shouldKeepModelStatisticsWhenAReloadChangesNothing() throws Exception {
    try (RunningServer s = start()) {
      infer(s, 3);

      load(s);

      ModelStatistics st = statistics(s);
      assertThat(st.getInferenceCount()).isEqualTo(3);
      assertThat(st.getInferenceStats().getSuccess().getCount()).isEqualTo(3);
      assertThat(st.getLastInference()).isPositive();
    }
  }

  @Test
  void shouldKeepModelStatisticsWhenAReloadChangesOnlyTheInstanceGroup() throws Exception {
    try (RunningServer s = start()) {
      infer(s, 3);
      Path config = repo.resolve("simple/config.pbtxt");
      Files.writeString(
          config, Files.readString(config) + "\ninstance_group [{ count: 1 kind: KIND_CPU }]\n");

      load(s);

      assertThat(statistics(s).getInferenceCount()).isEqualTo(3);
    }
  }

  @Test
  void shouldRestartModelStatisticsButNotTheCountersWhenAReloadChangesTheModel() throws Exception {
    try (RunningServer s = start()) {
      infer(s, 3);
      touchModelFile();

      load(s);

      ModelStatistics restarted = statistics(s);
      assertThat(restarted.getInferenceCount()).isZero();
      assertThat(restarted.getExecutionCount()).isZero();
      assertThat(restarted.getLastInference()).isZero();
      assertThat(restarted.getBatchStatsList()).isEmpty();
      Scrape m = Scrape.of(s.server.metricsPort());
      assertThat(m.value("nv_inference_request_success", SIMPLE)).isEqualTo(3);
      assertThat(m.value("nv_inference_exec_count", SIMPLE)).isEqualTo(3);
      assertThat(m.value("tensorgate_inference_request_duration_seconds_count", SIMPLE))
          .isEqualTo(3);
      assertThat(m.value("tensorgate_inference_batch_size_count", SIMPLE)).isEqualTo(3);

      infer(s, 2);

      assertThat(statistics(s).getInferenceCount()).isEqualTo(2);
      assertThat(Scrape.of(s.server.metricsPort()).value("nv_inference_request_success", SIMPLE))
          .isEqualTo(5);
      // Histograms are recorded by an observer just after the statistics.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Scrape.of(s.server.metricsPort())
                          .value("tensorgate_inference_request_duration_seconds_count", SIMPLE)
                      == 5);
    }
  }

  @Test
  void shouldStartTheSeriesFromZeroWhenLoadedAgainAfterAnUnload() throws Exception {
    try (RunningServer s = start()) {
      infer(s, 3);
      s.blocking()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());
      assertThat(Scrape.of(s.server.metricsPort()).find("nv_inference_request_success", SIMPLE))
          .isEmpty();

      load(s);

      assertThat(statistics(s).getInferenceCount()).isZero();
      assertThat(Scrape.of(s.server.metricsPort()).value("nv_inference_request_success", SIMPLE))
          .isZero();
    }
  }
}
