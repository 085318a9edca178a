package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The ghz command line end to end: real flags, the lean client, an echo server on loopback. */
class GhzCommandTest {
  static final String SIMPLE_REQUEST =
      "{\"model_name\":\"simple\",\"inputs\":["
          + "{\"name\":\"INPUT0\",\"datatype\":\"INT32\",\"shape\":[1,16],"
          + "\"contents\":{\"int_contents\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}},"
          + "{\"name\":\"INPUT1\",\"datatype\":\"INT32\",\"shape\":[1,16],"
          + "\"contents\":{\"int_contents\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}],"
          + "\"outputs\":[{\"name\":\"OUTPUT0\"},{\"name\":\"OUTPUT1\"}]}";

  @TempDir Path dir;

  @RegisterExtension final GhzRig rig = new GhzRig(SIMPLE_REQUEST);
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void shouldWriteGhzJsonWithGhzFieldNamesWhenRunForADuration() throws Exception {
    Path out = dir.resolve("report.json");

    Cli cli =
        rig.ghz(
            "-c",
            "16",
            "-z",
            "1s",
            "--insecure",
            "-D",
            rig.request().toString(),
            "-O",
            "json",
            "-o",
            out.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode report = mapper.readTree(out.toFile());
    OffsetDateTime.parse(report.get("date").asText());
    assertThat(report.get("endReason").asText()).isEqualTo("timeout");
    JsonNode options = report.get("options");
    assertThat(options.get("call").asText()).isEqualTo("inference.GRPCInferenceService.ModelInfer");
    assertThat(options.get("host").asText()).isEqualTo(rig.host());
    assertThat(options.get("insecure").asBoolean()).isTrue();
    assertThat(options.get("concurrency").asInt()).isEqualTo(16);
    assertThat(options.get("duration").asLong()).isEqualTo(1_000_000_000L);
    assertThat(options.get("data").get("model_name").asText()).isEqualTo("simple");
    long count = report.get("count").asLong();
    long total = report.get("total").asLong();
    assertThat(count).isPositive();
    assertThat(total).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(report.get("rps").asDouble()).isCloseTo(count / (total / 1e9), within(0.01));
    // ghz's default --duration-stop close: calls in flight at the end fail, at most one a worker.
    JsonNode statuses = report.get("statusCodeDistribution");
    long closed = statuses.path("Unavailable").asLong();
    assertThat(statuses.get("OK").asLong() + closed).isEqualTo(count);
    assertThat(closed).isLessThanOrEqualTo(16);
    if (closed > 0) {
      assertThat(
              report
                  .get("errorDistribution")
                  .get("rpc error: code = Unavailable desc = transport is closing")
                  .asLong())
          .isEqualTo(closed);
    }
    List<Integer> percentages = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    report
        .get("latencyDistribution")
        .forEach(
            p -> {
              percentages.add(p.get("percentage").asInt());
              latencies.add(p.get("latency").asLong());
            });
    assertThat(percentages).containsExactly(10, 25, 50, 75, 90, 95, 99);
    assertThat(latencies).isSorted();
    assertThat(report.get("fastest").asLong()).isPositive().isLessThanOrEqualTo(latencies.get(0));
    assertThat(report.get("slowest").asLong()).isGreaterThanOrEqualTo(latencies.get(6));
    assertThat(report.get("average").asLong())
        .isBetween(report.get("fastest").asLong(), report.get("slowest").asLong());
    long bucketed = 0;
    for (JsonNode bucket : report.get("histogram")) {
      assertThat(bucket.get("mark").asDouble()).isPositive();
      assertThat(bucket.get("frequency").asDouble()).isBetween(0.0, 1.0);
      bucketed += bucket.get("count").asLong();
    }
    assertThat(report.get("histogram")).hasSize(11);
    assertThat(bucketed).isEqualTo(statuses.get("OK").asLong());
    assertThat(report.has("details")).isFalse();
  }

  @Test
  void shouldMakeExactlyTheTotalCallsWhenTotalGiven() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "-c",
                "8",
                "-n",
                "500",
                "--insecure",
                "-D",
                rig.request().toString(),
                "-O",
                "json"));

    assertThat(report.get("count").asLong()).isEqualTo(500);
    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(500);
    assertThat(report.get("endReason").asText()).isEqualTo("normal");
    assertThat(report.get("options").get("total").asLong()).isEqualTo(500);
  }

  @Test
  void shouldPrintGhzSummaryWhenNoFormatGiven() {
    Cli cli = rig.ghz("-c", "4", "--insecure", "-D", rig.request().toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out())
        .startsWith("\nSummary:\n  Count:\t200\n  Total:\t")
        .contains("  Requests/sec:\t", "Response time histogram:\n", "Latency distribution:\n")
        .contains("  50 % in ", "Status code distribution:\n  [OK]   200 responses   \n");
  }

  @Test
  void shouldWriteOneCsvLinePerCallWhenFormatIsCsv() {
    Cli cli =
        rig.ghz("-c", "4", "-n", "100", "--insecure", "-D", rig.request().toString(), "-O", "csv");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    List<String> lines = cli.out().lines().toList();
    assertThat(lines.get(1)).isEqualTo("duration (ms),status,error");
    assertThat(lines.subList(2, lines.size()))
        .hasSize(100)
        .allSatisfy(line -> assertThat(line).matches("\\d+\\.\\d\\d,OK,"));
  }

  @Test
  void shouldWriteAPageThatFetchesNothingWhenFormatIsHtml() {
    Cli cli =
        rig.ghz(
            "-c",
            "4",
            "-n",
            "100",
            "--insecure",
            "-D",
            rig.request().toString(),
            "-O",
            "html",
            "--name",
            "simple <raw>");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out())
        .startsWith("<!DOCTYPE html>")
        .contains("<title>simple &lt;raw&gt;</title>", "<svg", "Latency distribution", "99 %")
        .doesNotContain("<script", "src=", "href=", "<link");
  }

  @Test
  void shouldLeaveTheFirstAnswersOutWhenSkipFirstGiven() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "-c",
                "2",
                "-n",
                "100",
                "--skipFirst",
                "10",
                "--insecure",
                "-D",
                rig.request().toString(),
                "-O",
                "json"));

    assertThat(report.get("count").asLong()).isEqualTo(90);
  }

  @Test
  void shouldCountServerErrorsByStatusWhenTheModelIsUnknown() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "-c",
                "2",
                "-n",
                "10",
                "--insecure",
                "-d",
                "{\"model_name\":\"missing\"}",
                "-O",
                "json"));

    assertThat(report.get("statusCodeDistribution").get("NotFound").asLong()).isEqualTo(10);
    assertThat(report.get("errorDistribution").fieldNames().next())
        .startsWith("rpc error: code = NotFound desc = ");
    assertThat(report.get("latencyDistribution").isNull()).isTrue();
  }

  @Test
  void shouldCallAnyMethodOfTheServiceWhenCallGiven() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "--call",
                "inference.GRPCInferenceService/ServerLive",
                "-c",
                "4",
                "-n",
                "50",
                "--insecure",
                "-O",
                "json"));

    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(50);
    assertThat(report.get("options").has("data")).isFalse();
  }

  @Test
  void shouldSendEachStreamCallsMessagesWhenCallIsModelStreamInfer() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "--call",
                "inference.GRPCInferenceService.ModelStreamInfer",
                "-c",
                "2",
                "-n",
                "20",
                "--stream-call-count",
                "3",
                "--insecure",
                "-D",
                rig.request().toString(),
                "-O",
                "json"));

    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(20);
  }

  @Test
  void shouldGenerateBatchedInputsWhenModelGiven() throws Exception {
    JsonNode report =
        rig.json(
            rig.ghz(
                "--model",
                "simple",
                "--batch-size",
                "4",
                "--server-stats",
                "--check-outputs",
                "-c",
                "2",
                "-n",
                "40",
                "--insecure",
                "-O",
                "json"));

    JsonNode tensorgate = report.get("tensorgate");
    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(40);
    assertThat(tensorgate.get("inferencesPerSecond").asDouble())
        .isCloseTo(tensorgate.get("okRps").asDouble() * 4, within(1e-6));
    // Read right after the last answer: the server may count its last calls a moment later.
    assertThat(tensorgate.get("serverStats").get("requests").asLong()).isBetween(1L, 40L);
    assertThat(tensorgate.get("client").get("name").asText()).isEqualTo("tensorgate-loadtest");
  }

  @Test
  void shouldFailEveryCallWhenCheckedOutputIsMissing() throws Exception {
    // The echo server answers one output per input, named after the requested ones.
    String asksForMore =
        SIMPLE_REQUEST.replace(
            "{\"name\":\"OUTPUT1\"}", "{\"name\":\"OUTPUT1\"},{\"name\":\"OUTPUT9\"}");

    JsonNode report =
        rig.json(
            rig.ghz(
                "--check-outputs",
                "-c",
                "2",
                "-n",
                "10",
                "--insecure",
                "-d",
                asksForMore,
                "-O",
                "json"));

    assertThat(report.get("statusCodeDistribution").get("Internal").asLong()).isEqualTo(10);
    assertThat(report.get("errorDistribution").fieldNames().next())
        .endsWith("response lacks output 'OUTPUT9'");
  }

  @Test
  void shouldWriteOneReportPerLevelWhenSweepingConcurrency() throws Exception {
    Path perf = dir.resolve("perf.csv");

    JsonNode report =
        rig.json(
            rig.ghz(
                "--model",
                "simple",
                "--concurrency-range",
                "1:3:2",
                "-z",
                "300ms",
                "--perf-csv",
                perf.toString(),
                "--insecure",
                "-O",
                "json"));

    assertThat(report.isArray()).isTrue();
    assertThat(report)
        .extracting(level -> level.get("options").get("concurrency").asInt())
        .containsExactly(1, 3);
    List<String> rows = Files.readAllLines(perf);
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).startsWith("Concurrency,Inferences/Second,");
  }
}
