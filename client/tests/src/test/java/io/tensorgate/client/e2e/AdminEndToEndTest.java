package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tensorgate.client.Datatype;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferResult;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.RequestedOutput;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.proto.inference.InferStatistics;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's non-inference calls against a real Tensorgate in explicit model-control mode:
 * repository, statistics, trace and log settings, system shared memory.
 */
class AdminEndToEndTest {
  @TempDir static Path repo;
  @TempDir static Path shm;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withSampleModel("simple_int8")
        .withModel("add_sub_fp32", "add_sub_fp32.onnx", null);
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .controlMode(ControlMode.EXPLICIT)
                .loadModels(List.of("simple"))
                .sharedMemoryRoot(shm));
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  private static InferRequest simple() {
    return InferRequest.builder("simple")
        .input(InferInput.of("INPUT0", new int[16], 1, 16))
        .input(InferInput.of("INPUT1", new int[16], 1, 16))
        .build();
  }

  @Test
  void shouldLoadAndUnloadWhenAskedInExplicitMode() {
    assertThat(client.isModelReady("simple_int8")).isFalse();
    client.repository().load("simple_int8");
    assertThat(client.isModelReady("simple_int8")).isTrue();
    assertThat(client.repository().index(true))
        .extracting(ModelIndex::getName)
        .contains("simple_int8");
    client.repository().unload("simple_int8");
    assertThat(client.isModelReady("simple_int8")).isFalse();
  }

  @Test
  void shouldListEveryModelWithItsStateWhenIndexed() {
    assertThat(client.repository().index())
        .extracting(ModelIndex::getName)
        .contains("simple", "simple_int8", "add_sub_fp32");
  }

  @Test
  void shouldLoadTheSentFilesAndConfigWhenBothAreGiven() throws Exception {
    byte[] onnx =
        Files.readAllBytes(TestRepository.PROJECT.resolve("testdata/onnx/add_sub_fp32.onnx"));
    String config =
        "{\"backend\":\"onnxruntime\",\"max_batch_size\":4,"
            + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]},"
            + "{\"name\":\"INPUT1\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]}],"
            + "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]},"
            + "{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]}]}";
    client.repository().load("uploaded", config, Map.of("1/model.onnx", onnx));
    InferResult r =
        client.infer(
            InferRequest.builder("uploaded")
                .input(InferInput.of("INPUT0", new float[] {1, 2, 3, 4}, 1, 4))
                .input(InferInput.of("INPUT1", new float[] {1, 1, 1, 1}, 1, 4))
                .build());
    assertThat(r.output("OUTPUT0").asFloats()).containsExactly(2, 3, 4, 5);
  }

  @Test
  void shouldRefuseFilesWithoutAConfigWhenLoading() {
    assertThatThrownBy(
            () -> client.repository().load("x", null, Map.of("1/model.onnx", new byte[1])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldReportNotFoundWhenUnloadingAModelTheRepositoryLacks() {
    assertThatThrownBy(() -> client.repository().load("no_such_model"))
        .isInstanceOfSatisfying(
            InferenceServerException.class,
            e ->
                assertThat(e.code())
                    .isNotEqualTo(Status.Code.OK)
                    .isNotEqualTo(Status.Code.UNKNOWN));
  }

  @Test
  void shouldCountInferencesWhenStatisticsAreRead() {
    long before = successes();
    client.infer(simple());
    client.infer(simple());
    assertThat(successes()).isEqualTo(before + 2);
  }

  private static long successes() {
    InferStatistics s = client.modelStatistics("simple", "").getModelStats(0).getInferenceStats();
    return s.getSuccess().getCount();
  }

  @Test
  void shouldChangeAModelsTraceSettingsWhenUpdated() {
    Map<String, List<String>> updated =
        client.settings().updateTraceSettings("simple", Map.of("trace_rate", List.of("7")));
    assertThat(updated).containsEntry("trace_rate", List.of("7"));
    assertThat(client.settings().traceSettings("simple")).containsEntry("trace_rate", List.of("7"));
    assertThat(client.settings().traceSettings()).doesNotContainEntry("trace_rate", List.of("7"));
  }

  @Test
  void shouldReadLogSettingsWithTheirTypesWhenAsked() {
    Map<String, Object> log = client.settings().logSettings();
    assertThat(log).containsKey("log_verbose_level");
    assertThat(log.get("log_verbose_level")).isInstanceOf(Integer.class);
    assertThat(log.get("log_info")).isInstanceOf(Boolean.class);
  }

  @Test
  void shouldChangeTheVerboseLevelWhenLogSettingsAreUpdated() {
    Object before = client.settings().logSettings().get("log_verbose_level");
    try {
      assertThat(client.settings().updateLogSettings(Map.of("log_verbose_level", 1)))
          .containsEntry("log_verbose_level", 1);
    } finally {
      client.settings().updateLogSettings(Map.of("log_verbose_level", before));
    }
  }

  @Test
  void shouldReadInputsFromAndWriteOutputsToSharedMemoryWhenRegionsAreRegistered()
      throws Exception {
    Path file = shm.resolve("tg_client_region");
    MappedByteBuffer region;
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      region = ch.map(FileChannel.MapMode.READ_WRITE, 0, 256);
    }
    region.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 16; i++) {
      region.putInt(4 * i, i);
    }
    client.sharedMemory().registerSystem("in", "tg_client_region", 64, 0);
    client.sharedMemory().registerSystem("out", "tg_client_region", 128, 128);
    try {
      assertThat(client.sharedMemory().systemStatus()).containsKeys("in", "out");
      assertThat(client.sharedMemory().systemStatus("out").get("out").getOffset()).isEqualTo(128);
      InferResult r =
          client.infer(
              InferRequest.builder("simple")
                  .input(
                      InferInput.sharedMemory(
                          "INPUT0", Datatype.INT32, new long[] {1, 16}, "in", 64, 0))
                  .input(InferInput.of("INPUT1", new int[16], 1, 16))
                  .output(RequestedOutput.sharedMemory("OUTPUT0", "out", 64, 0))
                  .build());
      assertThat(r.output("OUTPUT0").inSharedMemory()).isTrue();
      assertThat(region.getInt(128 + 4 * 15)).isEqualTo(15);
    } finally {
      client.sharedMemory().unregisterAllSystem();
    }
    assertThat(client.sharedMemory().systemStatus()).isEmpty();
  }
}
