package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing the repository serves or writes lies outside it: model and version folders, model files
 * and override files are checked after following symbolic links, and reserved names are refused.
 */
class RepositoryEscapeTest {
  @TempDir Path tmp;
  Path repo;
  Path outside;
  RepositoryLayout layout;

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    layout = new RepositoryLayout(repo);
  }

  private static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private static long filesUnder(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void shouldRefuseModelFolderLinkedOutsideTheRepository() throws Exception {
    new TestRepository(outside).withSampleModel("simple");
    Files.createSymbolicLink(repo.resolve("evil"), outside.resolve("simple"));
    assertInvalid(() -> layout.modelDirectory("evil"), "resolves outside the model repository");
  }

  @Test
  void shouldIgnoreVersionFolderLinkedOutsideTheRepository() throws Exception {
    Path model = Files.createDirectories(repo.resolve("m"));
    Files.createDirectories(outside.resolve("1"));
    Files.createSymbolicLink(model.resolve("1"), outside.resolve("1"));
    Files.createDirectories(model.resolve("2"));
    assertThat(layout.versionDirectories(model)).containsOnlyKeys(2L);
  }

  @Test
  void shouldRefuseModelFileLinkedOutsideTheRepository() throws Exception {
    Path version = Files.createDirectories(repo.resolve("m/1"));
    Files.writeString(outside.resolve("secret.onnx"), "x");
    Files.createSymbolicLink(version.resolve("model.onnx"), outside.resolve("secret.onnx"));
    assertInvalid(
        () -> layout.resolveInside(version, "model.onnx", "default_model_filename"),
        "resolves outside the model repository");
  }

  @Test
  void shouldRefuseDefaultModelFilenameThatLeavesTheVersionFolder() throws Exception {
    Path version = Files.createDirectories(repo.resolve("m/1"));
    for (String name : List.of("../../../outside/x.onnx", "sub/../../x.onnx", "/etc/passwd", ".")) {
      assertInvalid(
          () -> layout.resolveInside(version, name, "default_model_filename"), "must name a file");
    }
  }

  @Test
  void shouldRefuseReservedAndTraversingModelNames() {
    for (String name : List.of(".tensorgate", ".hidden")) {
      assertInvalid(() -> RepositoryLayout.validateModelName(name), "reserved");
    }
    for (String name : List.of("..", "a/../b", "a\\b", "x\0y", " m")) {
      assertInvalid(() -> RepositoryLayout.validateModelName(name), "path traversal");
    }
  }

  @Test
  void shouldRefuseOverridePathsThatLeaveTheModelFolder() throws Exception {
    OverrideFiles files = new OverrideFiles(repo);
    for (String path : List.of("../x", "../../x", "/abs", "1/../../x", "a\\b", "", "1/x\0")) {
      assertInvalid(() -> files.write("m", Map.of(path, new byte[] {1})), "override file path");
    }
    assertThat(filesUnder(tmp)).isZero();
  }

  @Test
  void shouldRefuseOverrideWritesWhenTheOverrideFolderLinksOutside() throws Exception {
    Files.createSymbolicLink(repo.resolve(".tensorgate"), outside);
    OverrideFiles files = new OverrideFiles(repo);
    assertInvalid(
        () -> files.write("m", Map.of("1/model.onnx", new byte[] {1})), "resolves outside");
    assertThat(filesUnder(outside)).isZero();
  }

  @Test
  void shouldNeverWriteIntoAnOverrideFolderLeftBehind() throws Exception {
    Path stale = Files.createDirectories(repo.resolve(".tensorgate/overrides/m-1"));
    Files.createSymbolicLink(stale.resolve("1"), outside);
    Path written = new OverrideFiles(repo).write("m", Map.of("1/model.onnx", new byte[] {1}));
    assertThat(written).isNotEqualTo(stale);
    assertThat(written.resolve("1/model.onnx")).exists();
    assertThat(filesUnder(outside)).isZero();
  }

  @Test
  void shouldRefuseLoadRpcOfModelLinkedOutsideTheRepository() throws Exception {
    new TestRepository(outside).withSampleModel("simple");
    Files.createSymbolicLink(repo.resolve("evil"), outside.resolve("simple"));
    try (RunningServer s =
        RunningServer.start(repo, ModelRepositoryManager.ControlMode.EXPLICIT, List.of())) {
      assertThatThrownBy(
              () ->
                  s.blocking()
                      .repositoryModelLoad(
                          RepositoryModelLoadRequest.newBuilder().setModelName("evil").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("resolves outside");
              });
    }
  }
}
