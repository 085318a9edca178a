package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** An unload logs from a thread named for the model and version, not an anonymous Thread-N. */
class RepositoryUnloadThreadTest {
  @TempDir Path repo;

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(LoadedVersion.class);

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(null);
  }

  @Test
  void shouldCloseTheVersionOnANamedThreadWhenTheModelIsUnloaded() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of())) {
      s.blocking()
          .repositoryModelLoad(
              RepositoryModelLoadRequest.newBuilder().setModelName("simple").build());

      s.blocking()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());

      await().atMost(Duration.ofSeconds(30)).until(() -> unloadedLines().size() == 1);
      assertThat(unloadedLines())
          .singleElement()
          .extracting(ILoggingEvent::getThreadName)
          .isEqualTo("tensorgate-version-close");
    }
  }

  private List<ILoggingEvent> unloadedLines() {
    synchronized (lines) {
      return lines.list.stream()
          .filter(e -> e.getFormattedMessage().startsWith("unloaded model 'simple'"))
          .toList();
    }
  }
}
