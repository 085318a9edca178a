package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Override folders of RepositoryModelLoad requests: each server writes under its own locked session
 * folder; at start-up, what servers that are gone left behind is removed, and nothing of a running
 * server's, nor anything a link points to.
 */
class OverrideFilesTest {
  @TempDir Path tmp;
  Path repo;
  Path overrides;

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(tmp.resolve("repo"));
    overrides = repo.resolve(".tensorgate/overrides");
  }

  private static Path file(Path p) throws Exception {
    Files.createDirectories(p.getParent());
    return Files.write(p, new byte[] {1, 2, 3});
  }

  @Test
  void shouldRemoveAnOverrideFolderLeftByAnOlderServerAtStart() throws Exception {
    file(overrides.resolve("simple_int8-342/1/model.onnx"));

    assertThat(new OverrideFiles(repo).removeLeftovers()).isEqualTo(1);

    assertThat(overrides.resolve("simple_int8-342")).doesNotExist();
  }

  @Test
  void shouldRemoveTheSessionFolderOfAServerThatIsGone() throws Exception {
    Path session = overrides.resolve("0b5cc0a4-dead");
    file(session.resolve(OverrideFiles.LOCK_FILE));
    file(session.resolve("simple-1/1/model.onnx"));

    new OverrideFiles(repo).removeLeftovers();

    assertThat(session).doesNotExist();
  }

  @Test
  void shouldKeepTheSessionFolderWhoseLockARunningServerHolds() throws Exception {
    OverrideFiles running = new OverrideFiles(repo);
    Path written = running.write("simple", Map.of("1/model.onnx", new byte[] {1}));

    new OverrideFiles(repo).removeLeftovers();

    assertThat(written.resolve("1/model.onnx")).exists();
    running.close();
  }

  @Test
  void shouldKeepASessionFolderLockedByAnotherProcess() throws Exception {
    Path session = overrides.resolve("other-process");
    Path lockFile = file(session.resolve(OverrideFiles.LOCK_FILE));
    file(session.resolve("m-1/1/model.onnx"));
    // Held through another channel, as another process's lock would be.
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      new OverrideFiles(repo).removeLeftovers();

      assertThat(session.resolve("m-1/1/model.onnx")).exists();
      assertThat(lock.isValid()).isTrue();
    }
  }

  @Test
  void shouldDeleteALinkLeftThereAndNotWhatItPointsTo() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path precious = file(outside.resolve("precious.txt"));
    Files.createDirectories(overrides);
    Files.createSymbolicLink(overrides.resolve("evil-1"), outside);

    new OverrideFiles(repo).removeLeftovers();

    assertThat(overrides.resolve("evil-1")).doesNotExist();
    assertThat(precious).exists();
  }

  @Test
  void shouldRemoveNothingWhenTheOverridesFolderLinksOutTheRepository() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path precious = file(outside.resolve("overrides/m-1/precious.txt"));
    Files.createSymbolicLink(repo.resolve(".tensorgate"), outside);

    assertThat(new OverrideFiles(repo).removeLeftovers()).isZero();

    assertThat(precious).exists();
  }

  @Test
  void shouldDeleteItsOwnSessionFolderWhenClosed() throws Exception {
    OverrideFiles files = new OverrideFiles(repo);
    Path written = files.write("simple", Map.of("1/model.onnx", new byte[] {1}));

    files.close();

    assertThat(written.getParent()).doesNotExist();
  }
}
