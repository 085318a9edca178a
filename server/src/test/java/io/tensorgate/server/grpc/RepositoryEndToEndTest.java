package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RepositoryIndex / Load / Unload under the three control modes, and version selection. */
class RepositoryEndToEndTest {
  static final String SIMPLE_CONFIG =
      "name: \"%s\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 8\n%s"
          + "input [{ name: \"INPUT0\" data_type: TYPE_INT32 dims: [16] },"
          + " { name: \"INPUT1\" data_type: TYPE_INT32 dims: [16] }]\n"
          + "output [{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] },"
          + " { name: \"OUTPUT1\" data_type: TYPE_INT32 dims: [16] }]\n";

  @TempDir Path repo;

  static String config(String name, String extra) {
    return String.format(SIMPLE_CONFIG, name, extra);
  }

  private static int firstSum(RunningServer s, String model, String version) {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setModelName(model).setModelVersion(version).build();
    return Requests.readInt32s(Requests.output(s.blocking().modelInfer(r), "OUTPUT0"))[0];
  }

  private static List<RepositoryIndexResponse.ModelIndex> index(RunningServer s, boolean ready) {
    return s.blocking()
        .repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(ready).build())
        .getModelsList();
  }

  private static void load(RunningServer s, String name) {
    s.blocking()
        .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(name).build());
  }

  @Test
  void shouldServeHighestVersionByDefaultAndEachVersionByNumber() throws Exception {
    new TestRepository(repo)
        .withModel("m", "add_sub_int32_v2.onnx", config("m", "version_policy: { all: {} }\n"), 2)
        .withVersion("m", 1, "../../models/simple/1/model.onnx");
    try (RunningServer s = RunningServer.start(repo)) {
      // INPUT0 = 0.., INPUT1 = 1: v1 adds, v2 adds one more.
      assertThat(firstSum(s, "m", "")).isEqualTo(2);
      assertThat(firstSum(s, "m", "2")).isEqualTo(2);
      assertThat(firstSum(s, "m", "1")).isEqualTo(1);
      assertThat(
              s.blocking()
                  .modelInfer(
                      Requests.simple(1).toBuilder().setModelName("m").setModelVersion("1").build())
                  .getModelVersion())
          .isEqualTo("1");
    }
  }

  @Test
  void shouldServeOnlyLatestVersionUnderDefaultPolicy() throws Exception {
    new TestRepository(repo)
        .withModel("m", "add_sub_int32_v2.onnx", config("m", ""), 2)
        .withVersion("m", 1, "../../models/simple/1/model.onnx");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(
              s.blocking()
                  .modelMetadata(ModelMetadataRequest.newBuilder().setName("m").build())
                  .getVersionsList())
          .containsExactly("2");
      assertThatThrownBy(() -> firstSum(s, "m", "1"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
  }

  @Test
  void shouldServeSpecificVersionsOnly() throws Exception {
    new TestRepository(repo)
        .withModel(
            "m",
            "add_sub_int32_v2.onnx",
            config("m", "version_policy: { specific: { versions: [1] } }\n"),
            2)
        .withVersion("m", 1, "../../models/simple/1/model.onnx");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(firstSum(s, "m", "")).isEqualTo(1);
    }
  }

  @Test
  void shouldAutoCompleteConfigWhenConfigFileMissing() throws Exception {
    new TestRepository(repo).withModel("auto", "add_sub_fp32.onnx", null, 1);
    try (RunningServer s = RunningServer.start(repo)) {
      var c =
          s.blocking()
              .modelConfig(
                  io.tensorgate.proto.inference.ModelConfigRequest.newBuilder()
                      .setName("auto")
                      .build())
              .getConfig();
      assertThat(c.getMaxBatchSize()).isEqualTo(4);
      assertThat(c.getInputList()).extracting(i -> i.getName()).containsExactly("INPUT0", "INPUT1");
      assertThat(c.getInput(0).getDimsList()).containsExactly(4L);
      assertThat(c.hasDynamicBatching()).isTrue();
    }
  }

  @Test
  void shouldRefuseLoadRpcInNoneMode() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      assertThatThrownBy(() -> load(s, "simple"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("explicit model load / unload is not allowed if polling is enabled");
              });
    }
  }

  @Test
  void shouldLoadAndUnloadOnRequestInExplicitMode() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"))) {
      assertThat(index(s, true)).extracting(m -> m.getName()).containsExactly("simple");
      assertThat(index(s, false))
          .extracting(m -> m.getName() + ":" + m.getState())
          .containsExactly("simple:READY", "simple_int8:");
      load(s, "simple_int8");
      assertThat(index(s, true))
          .extracting(m -> m.getName())
          .containsExactly("simple", "simple_int8");
      s.blocking()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());
      assertThat(index(s, false))
          .extracting(
              m -> m.getName() + ":" + m.getVersion() + ":" + m.getState() + ":" + m.getReason())
          .contains("simple:1:UNAVAILABLE:unloaded");
      assertThatThrownBy(() -> firstSum(s, "simple", ""))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("Request for unknown model: 'simple' has no available versions");
              });
      load(s, "simple");
      assertThat(firstSum(s, "simple", "")).isEqualTo(1);
    }
  }

  @Test
  void shouldRefuseModelNamesThatLeaveTheRepository() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      for (String bad : List.of("..", "../x", "a/b", " simple", "simple ")) {
        assertThatThrownBy(() -> load(s, bad))
            .as(bad)
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription())
                      .contains("model name must not contain path traversal characters");
                });
      }
    }
  }

  @Test
  void shouldReportReasonAndKeepOtherModelsWhenModelFileCorrupt() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withModel("broken", "corrupt.onnx", config("broken", ""), 1);
    try (RunningServer s = RunningServer.start(repo)) {
      assertThat(firstSum(s, "simple", "")).isEqualTo(1);
      RepositoryIndexResponse.ModelIndex broken =
          index(s, false).stream()
              .filter(m -> m.getName().equals("broken"))
              .findFirst()
              .orElseThrow();
      assertThat(broken.getState()).isEqualTo("UNAVAILABLE");
      assertThat(broken.getReason()).isNotEmpty();
    }
  }

  @Test
  void shouldReportConfigErrorWithTheField() throws Exception {
    new TestRepository(repo).withModel("bad", "add_sub_int32_v2.onnx", "max_batch_size: -3\n", 1);
    try (RunningServer s = RunningServer.start(repo)) {
      RepositoryIndexResponse.ModelIndex bad = index(s, false).get(0);
      assertThat(bad.getState()).isEqualTo("UNAVAILABLE");
      assertThat(bad.getReason()).contains("max_batch_size");
    }
  }

  @Test
  void shouldKeepServingOldVersionWhenReloadFails() throws Exception {
    new TestRepository(repo).withModel("m", "add_sub_int32_v2.onnx", config("m", ""), 1);
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("m"))) {
      Files.copy(
          TestRepository.PROJECT.resolve("testdata/onnx/corrupt.onnx"),
          repo.resolve("m/1/model.onnx"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(() -> load(s, "m"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThat(firstSum(s, "m", "")).isEqualTo(2);
      assertThat(index(s, false))
          .anySatisfy(
              m -> {
                assertThat(m.getState()).isEqualTo("READY");
                assertThat(m.getReason()).contains("reload failed");
              });
    }
  }

  @Test
  void shouldLoadFromConfigOverrideAndFileContents() throws Exception {
    new TestRepository(repo);
    byte[] onnx = Files.readAllBytes(TestRepository.PROJECT.resolve("models/simple/1/model.onnx"));
    String json =
        "{\"name\":\"fromfiles\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8,"
            + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
            + "{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}],"
            + "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
            + "{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      s.blocking()
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
      assertThat(firstSum(s, "fromfiles", "1")).isEqualTo(1);
      assertThat(repo.resolve("fromfiles")).doesNotExist();
    }
  }

  @Test
  void shouldRefuseOverrideFilePathsOutsideTheModel() throws Exception {
    new TestRepository(repo);
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      for (String path : List.of("../../evil", "/etc/evil", "1/../../x")) {
        assertThatThrownBy(
                () ->
                    s.blocking()
                        .repositoryModelLoad(
                            RepositoryModelLoadRequest.newBuilder()
                                .setModelName("x")
                                .putParameters(
                                    "config",
                                    ModelRepositoryParameter.newBuilder()
                                        .setStringParam("{}")
                                        .build())
                                .putParameters(
                                    "file:" + path,
                                    ModelRepositoryParameter.newBuilder()
                                        .setBytesParam(ByteString.copyFromUtf8("x"))
                                        .build())
                                .build()))
            .as(path)
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      }
      assertThat(repo.getParent().resolve("evil")).doesNotExist();
    }
  }

  @Test
  void shouldApplyJsonConfigOverrideInsteadOfConfigFile() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"))) {
      s.blocking()
          .repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder()
                  .setModelName("simple")
                  .putParameters(
                      "config",
                      ModelRepositoryParameter.newBuilder()
                          .setStringParam(
                              "{\"max_batch_size\":2,\"instance_group\":[{\"count\":1,\"kind\":\"KIND_CPU\"}]}")
                          .build())
                  .build());
      assertThatThrownBy(() -> s.blocking().modelInfer(Requests.simple(4)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getDescription()).contains("batch-size must be <= 2"));
    }
  }

  @Test
  void shouldPickUpNewVersionWhenPolled() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s =
        RunningServer.start(
            io.tensorgate.server.TensorgateServer.builder()
                .modelRepository(repo)
                .controlMode(ControlMode.POLL)
                .pollSeconds(0))) {
      assertThat(firstSum(s, "simple", "")).isEqualTo(1);
      new TestRepository(repo).withVersion("simple", 2, "add_sub_int32_v2.onnx");
      s.server.repository().poll();
      assertThat(firstSum(s, "simple", "")).isEqualTo(2);
      assertThat(index(s, true)).extracting(m -> m.getVersion()).containsExactly("2");
    }
  }
}
