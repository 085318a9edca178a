package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against a real Tensorgate on the sample repository for a few seconds, as in
 * CI: it must finish without errors and read the server's statistics. No timing assertions.
 */
class TensorgateSmokeTest {
  @TempDir Path dir;
  private TensorgateServer server;

  @BeforeEach
  void start() throws Exception {
    Path models = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(models.resolve("models"))) {
      models = models.getParent();
    }
    server =
        TensorgateServer.builder()
            .modelRepository(models.resolve("models"))
            .grpcPort(0)
            .metricsPort(0)
            .exitTimeout(Duration.ofSeconds(5))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.shutdown();
  }

  /** Issue 14's acceptance command, shortened: ghz's syntax, the host last, ghz-shaped JSON. */
  @Test
  void shouldWriteGhzJsonWhenRunWithGhzFlagsAgainstTheServer() throws Exception {
    Path request = dir.resolve("req.json");
    Files.writeString(request, GhzCommandTest.SIMPLE_REQUEST);

    Cli cli =
        Cli.execute(
            "-c",
            "16",
            "-z",
            "2s",
            "--insecure",
            "-D",
            request.toString(),
            "-O",
            "json",
            "127.0.0.1:" + server.port());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(cli.out());
    long count = json.get("count").asLong();
    JsonNode statuses = json.get("statusCodeDistribution");
    assertThat(statuses.get("OK").asLong()).isPositive();
    // ghz's default --duration-stop close fails the calls in flight at the end, and only those.
    assertThat(count - statuses.get("OK").asLong())
        .isEqualTo(statuses.path("Unavailable").asLong())
        .isLessThanOrEqualTo(16);
    assertThat(json.get("latencyDistribution")).hasSize(7);
    assertThat(json.get("rps").asDouble()).isPositive();
  }

  @Test
  void shouldDriveTheSimpleModelWithoutErrors() throws Exception {
    Path report = dir.resolve("smoke.json");
    Cli cli =
        Cli.execute(
            "run",
            "--url",
            "127.0.0.1:" + server.port(),
            "-m",
            "simple",
            "--concurrency",
            "4",
            "--duration",
            "2s",
            "--warmup",
            "500ms",
            "--server-stats",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    long count = json.get("count").asLong();
    assertThat(count).isPositive();
    assertThat(json.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(count);
    assertThat(json.get("errorDistribution").size()).isZero();
    assertThat(cli.out()).contains("server (us)");
  }
}
