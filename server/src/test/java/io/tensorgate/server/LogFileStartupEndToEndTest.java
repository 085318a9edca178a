package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code --log-file} that cannot be opened stops the start with one line: the path once, why. */
class LogFileStartupEndToEndTest {
  @TempDir Path logs;

  private String startFailure(String logFile) throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            logs.resolve("server.out"),
            "--model-repository",
            logs.toString(),
            "--grpc-port",
            "0",
            "--metrics-port",
            "0",
            "--log-file",
            logFile)) {
      assertThat(server.awaitExit()).isEqualTo(1);
      return server.output();
    }
  }

  @Test
  void shouldNameThePathOnceAndSayNoSuchDirectoryWhenTheFoldersAreMissing() throws Exception {
    String path = logs.resolve("nope").resolve("x.log").toString();

    assertThat(startFailure(path).lines().filter(l -> l.contains("failed to start")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .endsWith("cannot write log file '" + path + "': no such directory")
                    .containsOnlyOnce(path));
  }

  @Test
  void shouldGiveTheFileSystemsReasonWhenTheLogFileIsAFolder() throws Exception {
    String path = logs.toString();

    assertThat(startFailure(path).lines().filter(l -> l.contains("failed to start")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .endsWith("cannot write log file '" + path + "': Is a directory")
                    .containsOnlyOnce(path));
  }
}
