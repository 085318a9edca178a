package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RepositoryModelLoad failures answer with Triton's codes and words (INTERNAL "failed to load 'm',
 * failed to poll from model repository" when the model's folder, configuration or files cannot be
 * read; INVALID_ARGUMENT "load failed for model 'm'" when the backend refuses a version), never
 * name a path of the server, and leave RepositoryIndex with one row per model.
 */
class ModelControlErrorsEndToEndTest {
  @TempDir Path repo;

  private static ModelRepositoryParameter string(String v) {
    return ModelRepositoryParameter.newBuilder().setStringParam(v).build();
  }

  private static ModelRepositoryParameter bytes(String v) {
    return ModelRepositoryParameter.newBuilder().setBytesParam(ByteString.copyFromUtf8(v)).build();
  }

  private static RepositoryModelLoadRequest.Builder load(String model) {
    return RepositoryModelLoadRequest.newBuilder().setModelName(model);
  }

  private RunningServer explicitServer() throws Exception {
    return RunningServer.start(repo, ControlMode.EXPLICIT, List.of());
  }

  private void assertStatus(ThrowingCallable call, Status.Code code, Consumer<String> message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).doesNotContain(repo.toString());
              message.accept(e.getStatus().getDescription());
            });
  }

  private static List<ModelIndex> index(RunningServer s) {
    return s.blocking()
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList();
  }

  @Test
  void shouldAnswerInternalFailedToPollWithoutAPathWhenAnOverrideFileNameIsTooLong()
      throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = explicitServer()) {
      assertStatus(
          () ->
              s.blocking()
                  .repositoryModelLoad(
                      load("simple")
                          .putParameters("config", string("{}"))
                          .putParameters("file:" + "A".repeat(256), bytes("a"))
                          .build()),
          Status.Code.INTERNAL,
          m ->
              assertThat(m)
                  .startsWith("failed to load 'simple', failed to poll from model repository: ")
                  .contains("File name too long")
                  .doesNotContain(".tensorgate")
                  .hasSizeLessThan(300));
    }
  }

  private static final String SIMPLE_JSON =
      "{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":8,"
          + "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
          + "{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}],"
          + "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},"
          + "{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";

  private String garbageOverrideFailure(String configJson) throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = explicitServer()) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  s.blocking()
                      .repositoryModelLoad(
                          load("simple")
                              .putParameters("config", string(configJson))
                              .putParameters("file:1/model.onnx", bytes("not an onnx model"))
                              .build()));
      return e.getStatus().getDescription();
    }
  }

  @Test
  void shouldNameTheFileAsSentWhenAutoCompletingFromAGarbageOverrideFileFails() throws Exception {
    assertThat(garbageOverrideFailure("{}"))
        .startsWith("failed to load 'simple'")
        .contains(" 1/model.onnx ")
        .doesNotContain(".tensorgate")
        .doesNotContain("overrides")
        .doesNotContain("simple-1/");
  }

  @Test
  void shouldNameModelVersionAndFileAsSentWhenTheBackendRefusesAGarbageOverrideFile()
      throws Exception {
    assertThat(garbageOverrideFailure(SIMPLE_JSON))
        .startsWith("load failed for model 'simple': version 1 ")
        .contains(" 1/model.onnx ")
        .doesNotContain(".tensorgate")
        .doesNotContain("overrides")
        .doesNotContain("simple-1/");
  }

  @Test
  void shouldAnswerInternalFailedToLoadWhenTheModelDoesNotExist() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = explicitServer()) {
      assertStatus(
          () -> s.blocking().repositoryModelLoad(load("wrong_model_name").build()),
          Status.Code.INTERNAL,
          m ->
              assertThat(m)
                  .startsWith(
                      "failed to load 'wrong_model_name', failed to poll from model repository"));
    }
  }

  @Test
  void shouldAnswerInternalFailedToLoadWhenTheConfigOverrideIsNotJson() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = explicitServer()) {
      assertStatus(
          () ->
              s.blocking()
                  .repositoryModelLoad(
                      load("simple")
                          .putParameters(
                              "config",
                              string(
                                  "\"parameters\": {\"config\": {{\"max_batch_size\": \"16\"}}}"))
                          .build()),
          Status.Code.INTERNAL,
          m ->
              assertThat(m)
                  .startsWith("failed to load 'simple', failed to poll from model repository: ")
                  .contains("Invalid config override"));
    }
  }

  @Test
  void shouldAnswerInvalidArgumentLoadFailedWithoutAPathWhenTheBackendRefusesTheModel()
      throws Exception {
    new TestRepository(repo)
        .withModel("m", "corrupt.onnx", RepositoryEndToEndTest.config("m", ""), 1);
    try (RunningServer s = explicitServer()) {
      assertStatus(
          () -> s.blocking().repositoryModelLoad(load("m").build()),
          Status.Code.INVALID_ARGUMENT,
          m -> assertThat(m).startsWith("load failed for model 'm': version 1 is at UNAVAILABLE"));
      assertThat(index(s))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.getState()).isEqualTo("UNAVAILABLE");
                assertThat(m.getReason()).isNotEmpty().doesNotContain(repo.toString());
              });
    }
  }

  @Test
  void shouldNameFilesRelativeToTheModelWhenAConfigNamesAMissingLabelFile() throws Exception {
    new TestRepository(repo)
        .withModel(
            "m",
            "add_sub_int32_v2.onnx",
            RepositoryEndToEndTest.config("m", "")
                .replace(
                    "{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] }",
                    "{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] label_filename:"
                        + " \"labels.txt\" }"),
            1);
    try (RunningServer s = explicitServer()) {
      assertStatus(
          () -> s.blocking().repositoryModelLoad(load("m").build()),
          Status.Code.INVALID_ARGUMENT,
          m -> assertThat(m).contains("label file 'labels.txt' does not exist"));
    }
  }

  @Test
  void shouldListOneRowPerModelAfterEachFailedLoad() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_int8");
    try (RunningServer s = explicitServer()) {
      s.blocking().repositoryModelLoad(load("simple").build());
      List<RepositoryModelLoadRequest> failing =
          List.of(
              load("simple").putParameters("config", string("{not json")).build(),
              load("simple")
                  .putParameters("config", string("{}"))
                  .putParameters("file:" + "A".repeat(256), bytes("a"))
                  .build(),
              load("wrong_model_name").build());
      for (RepositoryModelLoadRequest request : failing) {
        assertThatThrownBy(() -> s.blocking().repositoryModelLoad(request));

        assertThat(index(s))
            .as("after a failed load of %s", request.getModelName())
            .extracting(m -> m.getName() + ":" + m.getVersion() + ":" + m.getState())
            .containsExactly("simple:1:READY", "simple_int8::");
      }
    }
  }

  @Test
  void shouldLeaveNoOverrideFolderBehindWhenWritingOverrideFilesFails() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = explicitServer()) {
      assertThatThrownBy(
          () ->
              s.blocking()
                  .repositoryModelLoad(
                      load("simple")
                          .putParameters("config", string("{}"))
                          .putParameters("file:1/" + "B".repeat(300), bytes("b"))
                          .build()));
      Path overrides = repo.resolve(".tensorgate/overrides");
      try (var sessions = Files.list(overrides)) {
        for (Path session : sessions.toList()) {
          try (var inside = Files.list(session)) {
            assertThat(inside.map(p -> p.getFileName().toString())).containsOnly(".lock");
          }
        }
      }
    }
  }
}
