package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inprocess} on the tiny model that src/test/python/make_tiny_model.py writes. */
class InprocessCommandTest {

  private static final String MODEL = "src/test/resources/models/tiny.onnx";

  @TempDir Path dir;

  @Test
  void shouldReportInferencesAsBatchesTimesBatchSizeWhenRunOnTinyModel() throws Exception {
    Path json = dir.resolve("inprocess.json");
    Path csv = dir.resolve("inprocess.csv");

    Cli cli =
        Cli.execute(
            "inprocess",
            "-f",
            MODEL,
            "--batch-sizes",
            "1,4",
            "--threads",
            "2",
            "--duration",
            "300ms",
            "--warmup",
            "50ms",
            "--json",
            json.toString(),
            "--csv",
            csv.toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
    assertThat(results).extracting(r -> r.get("batchSize").asInt()).containsExactly(1, 4);
    for (JsonNode r : results) {
      assertThat(r.get("batches").asLong()).isPositive();
      assertThat(r.get("inferencesPerSecond").asDouble())
          .isEqualTo(r.get("batchesPerSecond").asDouble() * r.get("batchSize").asInt());
      JsonNode latency = r.get("latencyNanos");
      assertThat(
              List.of(
                  latency.get("p50").asLong(),
                  latency.get("p90").asLong(),
                  latency.get("p99").asLong(),
                  latency.get("max").asLong()))
          .isSorted();
    }
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("Batch Size,Threads,Inferences/Second");
    assertThat(cli.out()).contains("inferences/s");
  }

  @Test
  void shouldExplainWhenModelFileIsMissing() {
    Cli cli =
        Cli.execute("inprocess", "-f", dir.resolve("none.onnx").toString(), "--duration", "10ms");

    assertThat(cli.exitCode()).isNotZero();
    assertThat(cli.err()).isNotEmpty();
  }
}
