package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per test: an echo server on loopback, a request file, and the ghz command line aimed at them.
 * Registered with {@code @RegisterExtension}.
 */
final class GhzRig implements BeforeEachCallback, AfterEachCallback {
  private final String requestJson;
  private final ObjectMapper mapper = new ObjectMapper();
  private Path dir;
  private EchoServer echo;
  private Path request;

  /**
   * @param requestJson the call data written to {@link #request()}
   */
  GhzRig(String requestJson) {
    this.requestJson = requestJson;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("ghz-rig");
    echo = EchoServer.builder().port(0).sharedMemoryDirectory(dir).start();
    request = dir.resolve("req.json");
    Files.writeString(request, requestJson);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    echo.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Left behind in the temp folder; the test's outcome does not depend on it.
    }
  }

  Path request() {
    return request;
  }

  String host() {
    return "127.0.0.1:" + echo.port();
  }

  /** The command line with {@code host} last, as ghz takes it. */
  Cli ghz(String... flags) {
    List<String> args = new ArrayList<>(List.of(flags));
    args.add(host());
    return Cli.execute(args.toArray(new String[0]));
  }

  /** The JSON report of a run that must have succeeded. */
  JsonNode json(Cli cli) throws IOException {
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    return mapper.readTree(cli.out());
  }
}
