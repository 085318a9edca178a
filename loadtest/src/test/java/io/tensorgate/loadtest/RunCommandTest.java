package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} end to end: the real command line against an echo server on a loopback port. */
class RunCommandTest {

  @TempDir Path dir;
  private EchoServer echo;
  private final ObjectMapper mapper = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    echo = EchoServer.builder().port(0).sharedMemoryDirectory(dir).start();
  }

  @AfterEach
  void stop() throws Exception {
    echo.close();
  }

  private Cli run(String... extra) {
    List<String> args =
        new ArrayList<>(List.of("run", "--url", "127.0.0.1:" + echo.port(), "-m", "simple"));
    args.addAll(List.of(extra));
    return Cli.execute(args.toArray(new String[0]));
  }

  private JsonNode json(Path file) throws Exception {
    return mapper.readTree(file.toFile());
  }

  private static void assertNoErrors(JsonNode report) {
    long count = report.get("count").asLong();
    assertThat(count).isPositive();
    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(count);
    assertThat(report.get("statusCodeDistribution").size()).isEqualTo(1);
    assertThat(report.get("errorDistribution").size()).isZero();
  }

  @Test
  void shouldWriteGhzReportWithoutErrorsWhenClosedLoopAgainstEcho() throws Exception {
    Path report = dir.resolve("report.json");

    Cli cli =
        run(
            "--concurrency",
            "4",
            "--duration",
            "1s",
            "--warmup",
            "200ms",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode json = json(report);
    assertNoErrors(json);
    assertThat(json.get("options").get("concurrency").asInt()).isEqualTo(4);
    // ghz's total: from the end of the warm-up until the last call in flight was answered.
    assertThat(json.get("total").asLong()).isBetween(1_000_000_000L, 11_000_000_000L);
    List<Integer> percentages = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    json.get("latencyDistribution")
        .forEach(
            p -> {
              percentages.add(p.get("percentage").asInt());
              latencies.add(p.get("latency").asLong());
            });
    assertThat(percentages).containsExactly(10, 25, 50, 75, 90, 95, 99);
    assertThat(latencies).isSorted();
    assertThat(json.get("fastest").asLong()).isPositive().isLessThanOrEqualTo(latencies.get(0));
    assertThat(json.get("slowest").asLong()).isGreaterThanOrEqualTo(latencies.get(6));
    JsonNode extended = json.get("tensorgate").get("latencyNanos");
    assertThat(
            List.of(
                extended.get("p50").asLong(),
                extended.get("p90").asLong(),
                extended.get("p95").asLong(),
                extended.get("p99").asLong(),
                extended.get("p99.9").asLong(),
                extended.get("max").asLong()))
        .isSorted();
  }

  @Test
  void shouldCountHistogramBucketsOverEverySuccessWhenReportWritten() throws Exception {
    Path report = dir.resolve("report.json");

    run("--concurrency", "2", "--duration", "500ms", "--warmup", "0", "--json", report.toString());

    JsonNode json = json(report);
    long bucketed = 0;
    for (JsonNode bucket : json.get("histogram")) {
      bucketed += bucket.get("count").asLong();
    }
    assertThat(json.get("histogram")).hasSize(11);
    assertThat(bucketed).isEqualTo(json.get("count").asLong());
  }

  @Test
  void shouldWriteOneCsvRowAndOneJsonObjectPerLevelWhenSweepingConcurrency() throws Exception {
    Path csv = dir.resolve("levels.csv");
    Path report = dir.resolve("levels.json");

    Cli cli =
        run(
            "--concurrency-range",
            "1:3:2",
            "--duration",
            "300ms",
            "--warmup",
            "0",
            "--csv",
            csv.toString(),
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .startsWith("Concurrency,Inferences/Second,")
        .contains("p99 latency", "Errors");
    assertThat(lines.get(1)).startsWith("1,");
    assertThat(lines.get(2)).startsWith("3,").endsWith(",0");
    JsonNode json = json(report);
    assertThat(json.isArray()).isTrue();
    assertThat(json)
        .extracting(level -> level.get("options").get("concurrency").asInt())
        .containsExactly(1, 3);
  }

  @Test
  void shouldSendRateTimesDurationRequestsWhenOpenLoop() throws Exception {
    Path report = dir.resolve("open.json");

    Cli cli =
        run("--rate", "200", "--duration", "1s", "--warmup", "200ms", "--json", report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode json = json(report);
    assertNoErrors(json);
    // The schedule is fixed (one request every 5 ms), so the window holds exactly 200 sends.
    assertThat(json.get("count").asLong()).isEqualTo(200);
    assertThat(json.get("options").get("rps").asDouble()).isEqualTo(200.0);
  }

  @Test
  void shouldAnswerEveryRequestWhenStreaming() throws Exception {
    Path report = dir.resolve("stream.json");

    Cli cli =
        run(
            "--stream",
            "--connections",
            "2",
            "--concurrency",
            "4",
            "--duration",
            "500ms",
            "--warmup",
            "0",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertNoErrors(json(report));
  }

  @Test
  void shouldAnswerEveryRequestWhenTypedContentsSentOverSeveralConnections() throws Exception {
    Path report = dir.resolve("typed.json");

    Cli cli =
        run(
            "--contents",
            "typed",
            "--connections",
            "3",
            "--batch-size",
            "4",
            "--concurrency",
            "3",
            "--duration",
            "500ms",
            "--warmup",
            "0",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode json = json(report);
    assertNoErrors(json);
    assertThat(json.get("tensorgate").get("inferencesPerSecond").asDouble())
        .isEqualTo(json.get("tensorgate").get("okRps").asDouble() * 4);
  }

  @Test
  void shouldUseAndCleanUpSharedMemoryWhenSystemSharedMemoryAsked() throws Exception {
    Path report = dir.resolve("shm.json");

    Cli cli =
        run(
            "--shared-memory",
            "system",
            "--shared-memory-dir",
            dir.toString(),
            "--concurrency",
            "2",
            "--duration",
            "500ms",
            "--warmup",
            "0",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertNoErrors(json(report));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("shm.json");
    }
  }

  @Test
  void shouldReportServerAveragesWhenServerStatsAsked() throws Exception {
    Path report = dir.resolve("stats.json");

    Cli cli =
        run(
            "--server-stats",
            "--concurrency",
            "2",
            "--duration",
            "500ms",
            "--warmup",
            "100ms",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode stats = json(report).get("tensorgate").get("serverStats");
    assertThat(stats.get("requests").asLong()).isPositive();
    // The echo server has no queue and no compute: all of its time is overhead.
    assertThat(stats.get("queueUs").asDouble()).isZero();
    assertThat(stats.get("overheadUs").asDouble())
        .isPositive()
        .isEqualTo(stats.get("successUs").asDouble());
    assertThat(cli.out()).contains("overhead");
  }

  @Test
  void shouldCycleThroughEntriesWithoutErrorsWhenInputDataGiven() throws Exception {
    Path data = dir.resolve("data.json");
    String ones = "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]";
    Files.writeString(
        data,
        "{\"data\":[{\"INPUT0\":"
            + ones
            + ",\"INPUT1\":"
            + ones
            + "},"
            + "{\"INPUT0\":{\"content\":"
            + ones
            + ",\"shape\":[16]},\"INPUT1\":"
            + ones
            + "}]}");
    Path report = dir.resolve("data-report.json");

    Cli cli =
        run(
            "--input-data",
            data.toString(),
            "--batch-size",
            "2",
            "--concurrency",
            "2",
            "--duration",
            "300ms",
            "--warmup",
            "0",
            "--json",
            report.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertNoErrors(json(report));
  }

  @Test
  void shouldExplainWhenVariableInputHasNoShape() throws Exception {
    echo.close();
    echo =
        EchoServer.builder()
            .port(0)
            .signature(
                new ModelSignature(
                    "var", 0, List.of(new TensorSpec("X", "FP32", List.of(-1L))), List.of()))
            .start();

    Cli cli =
        Cli.execute("run", "--url", "127.0.0.1:" + echo.port(), "-m", "var", "--duration", "100ms");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--shape X:");
  }

  @Test
  void shouldReportNotFoundWhenModelUnknown() {
    Cli cli =
        Cli.execute(
            "run", "--url", "127.0.0.1:" + echo.port(), "-m", "missing", "--duration", "100ms");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("NOT_FOUND");
  }
}
