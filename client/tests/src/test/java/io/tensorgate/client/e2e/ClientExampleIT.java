package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/client-example} as the README shows it: the Java client's example program,
 * compiled from source by the script, classifies every committed example image right.
 */
class ClientExampleIT {
  @TempDir Path repo;
  @TempDir Path work;

  @Test
  void shouldPrintTheRightDigitForEveryExampleImageWhenRunAgainstAServer() throws Exception {
    new TestRepository(repo).withSampleModel("cnn_digits");
    try (RunningServer server = RunningServer.start(repo)) {
      Processes.Outcome o =
          Processes.run(
              List.of("bash", "scripts/client-example", "127.0.0.1:" + server.server.port()),
              TestRepository.PROJECT,
              Map.of("JAVA_HOME", System.getProperty("java.home")),
              work.resolve("client-example.log"),
              Duration.ofMinutes(3));

      assertThat(o.exitCode()).as(o.output()).isZero();
      List<Path> images = Digits.examples(Digits.EXAMPLES, ".png");
      assertThat(images).hasSize(10);
      for (Path image : images) {
        int digit = Digits.digitOf(image);
        assertThat(o.output())
            .as(o.output())
            .containsPattern(
                "(?m)^"
                    + Pattern.quote(image.getFileName() + ": " + digit + " (")
                    + "\\w+\\), probability (0\\.\\d{4}|1\\.0000)$");
      }
    }
  }
}
