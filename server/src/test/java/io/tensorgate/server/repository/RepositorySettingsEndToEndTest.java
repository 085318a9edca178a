package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's model-repository flags: {@code --model-config-name}, {@code
 * --disable-auto-complete-config}, {@code --backend-config default-max-batch-size}, {@code
 * --model-load-thread-count} and {@code --model-load-retry-count}.
 */
class RepositorySettingsEndToEndTest {
  @TempDir Path repo;

  @AfterEach
  void resetScripted() {
    ScriptedBackend.reset("a");
    ScriptedBackend.reset("b");
  }

  private RunningServer start(RepositorySettings settings) throws Exception {
    return RunningServer.start(
        TensorgateServer.builder().modelRepository(repo).repositorySettings(settings));
  }

  private static ModelConfig config(RunningServer s, String model) {
    return s.blocking()
        .modelConfig(ModelConfigRequest.newBuilder().setName(model).build())
        .getConfig();
  }

  private static ModelIndex row(RunningServer s, String model) {
    return s
        .blocking()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList()
        .stream()
        .filter(m -> m.getName().equals(model))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldReadTheNamedConfigFromTheConfigsFolderWhenItExists() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Files.createDirectories(repo.resolve("simple/configs"));
    Files.writeString(
        repo.resolve("simple/configs/small.pbtxt"),
        Files.readString(repo.resolve("simple/config.pbtxt"))
            .replace("max_batch_size: 8", "max_batch_size: 2"));

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withConfigName("small"))) {
      assertThat(config(s, "simple").getMaxBatchSize()).isEqualTo(2);
    }
  }

  @Test
  void shouldReadConfigPbtxtWhenTheNamedConfigDoesNotExist() throws Exception {
    new TestRepository(repo).withSampleModel("simple");

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withConfigName("h100"))) {
      assertThat(config(s, "simple").getMaxBatchSize()).isEqualTo(8);
    }
  }

  @Test
  void shouldListAModelWithoutConfigUnavailableWhenAutoCompletionIsDisabled() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withVersion("bare", 1, "add_sub_int32_v2.onnx");

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withAutoCompleteConfig(false))) {
      assertThat(row(s, "bare").getState()).isEqualTo("UNAVAILABLE");
      assertThat(row(s, "bare").getReason())
          .contains("config.pbtxt is missing")
          .contains("--disable-auto-complete-config");
      assertThat(row(s, "simple").getState()).isEqualTo("READY");
    }
  }

  @Test
  void shouldRefuseAConfigWithoutInputsWhenAutoCompletionIsDisabled() throws Exception {
    new TestRepository(repo)
        .withModel("m", "add_sub_int32_v2.onnx", "platform: \"onnxruntime_onnx\"\n", 1);

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withAutoCompleteConfig(false))) {
      assertThat(row(s, "m").getReason()).contains("lists no inputs");
    }
  }

  @Test
  void shouldCompleteMaxBatchSizeFromTheBackendConfigDefault() throws Exception {
    new TestRepository(repo).withVersion("bare", 1, "add_sub_int32_v2.onnx");

    try (RunningServer s =
        start(RepositorySettings.DEFAULTS.withDefaultMaxBatchSize(4, Map.of("onnxruntime", 16)))) {
      assertThat(config(s, "bare").getMaxBatchSize()).isEqualTo(16);
    }
  }

  @Test
  void shouldCompleteNoBatchingWhenTheDefaultMaxBatchSizeIsZero() throws Exception {
    new TestRepository(repo).withVersion("bare", 1, "add_sub_int32_v2.onnx");

    try (RunningServer s =
        start(RepositorySettings.DEFAULTS.withDefaultMaxBatchSize(0, Map.of()))) {
      ModelConfig c = config(s, "bare");
      assertThat(c.getMaxBatchSize()).isZero();
      assertThat(c.getInput(0).getDimsList()).containsExactly(-1L, 16L);
    }
  }

  @Test
  void shouldLoadStartupModelsConcurrentlyUpToTheLoadThreadCount() throws Exception {
    ScriptedBackend.writeModel(repo, "a", "", 1);
    ScriptedBackend.writeModel(repo, "b", "", 1);
    CountDownLatch bothLoading = new CountDownLatch(2);
    ScriptedBackend.of("a", 1).loadRendezvous = bothLoading;
    ScriptedBackend.of("b", 1).loadRendezvous = bothLoading;

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withLoadThreadCount(2))) {
      assertThat(row(s, "a").getState()).isEqualTo("READY");
      assertThat(row(s, "b").getState()).isEqualTo("READY");
    }
  }

  @Test
  void shouldRetryAFailedLoadAsOftenAsTheRetryCountAllows() throws Exception {
    ScriptedBackend.writeModel(repo, "a", "", 1);
    ScriptedBackend.of("a", 1).failingLoads.set(2);

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withLoadRetryCount(2))) {
      assertThat(row(s, "a").getState()).isEqualTo("READY");
    }
  }

  @Test
  void shouldGiveUpAfterTheRetryCount() throws Exception {
    ScriptedBackend.writeModel(repo, "a", "", 1);
    ScriptedBackend.of("a", 1).failingLoads.set(2);

    try (RunningServer s = start(RepositorySettings.DEFAULTS.withLoadRetryCount(1))) {
      assertThat(row(s, "a").getState()).isEqualTo("UNAVAILABLE");
      assertThat(row(s, "a").getReason()).contains("scripted load failure");
    }
  }

  @Test
  void shouldRefuseAConfigNameThatIsAPath() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RepositorySettings.DEFAULTS.withConfigName("../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--model-config-name");
  }
}
