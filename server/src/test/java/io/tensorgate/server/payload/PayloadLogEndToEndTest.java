package io.tensorgate.server.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sampled payload logs: what a line holds, and serving when the log cannot be written. */
class PayloadLogEndToEndTest {
  @TempDir Path repo;
  @TempDir Path logs;

  private RunningServer start(String sampleRate, Path dir) throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path config = repo.resolve("simple/config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            + "\nparameters { key: \"payload_log_sample_rate\" value: { string_value: \""
            + sampleRate
            + "\" } }\n"
            + "parameters { key: \"payload_log_max_elements\" value: { string_value: \"4\" } }\n");
    return RunningServer.start(
        TensorgateServer.builder()
            .modelRepository(repo)
            .observability(new ObservabilityOptions().payloadLogDir(dir)));
  }

  private static List<JsonNode> lines(Path file) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    ObjectMapper json = new ObjectMapper();
    for (String l : Files.readAllLines(file)) {
      out.add(json.readTree(l));
    }
    return out;
  }

  private static JsonNode byStatus(List<JsonNode> lines, String status) {
    return lines.stream()
        .filter(n -> n.get("status").asText().equals(status))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with status " + status + ": " + lines));
  }

  @Test
  void shouldWriteOneJsonLinePerSampledRequestWithTruncatedTensors() throws Exception {
    try (RunningServer s = start("1", logs)) {
      s.blocking().modelInfer(Requests.simple(1).toBuilder().setId("req-1").build());
      ModelInferRequest wrongType =
          Requests.simple(1).toBuilder()
              .setInputs(0, Requests.input("INPUT0", "FP32", 1, 16))
              .build();
      assertThatThrownBy(() -> s.blocking().modelInfer(wrongType)).isNotNull();
      Path file = logs.resolve("payload.jsonl");

      await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() == 2);

      // The refusal is logged from the transport thread, the success from the worker after it
      // answered: either may be written first.
      List<JsonNode> l = lines(file);
      JsonNode ok = byStatus(l, "OK");
      assertThat(ok.get("model").asText()).isEqualTo("simple");
      assertThat(ok.get("version").asText()).isEqualTo("1");
      assertThat(ok.get("id").asText()).isEqualTo("req-1");
      assertThat(ok.get("route").asText()).isEqualTo("default");
      assertThat(ok.get("status").asText()).isEqualTo("OK");
      assertThat(ok.get("latency_us").asLong()).isPositive();
      JsonNode in0 = ok.get("inputs").get(0);
      assertThat(in0.get("name").asText()).isEqualTo("INPUT0");
      assertThat(in0.get("shape").toString()).isEqualTo("[1,16]");
      assertThat(in0.get("data").toString()).isEqualTo("[0,1,2,3]");
      assertThat(in0.get("truncated").asBoolean()).isTrue();
      // OUTPUT0 = INPUT0 + INPUT1 (all ones).
      assertThat(ok.get("outputs").get(0).get("data").toString()).isEqualTo("[1,2,3,4]");
      JsonNode refused = byStatus(l, "INVALID_ARGUMENT");
      assertThat(refused.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
      assertThat(refused.get("error").asText()).contains("FP32");
      assertThat(refused.get("inputs").get(0).get("datatype").asText()).isEqualTo("FP32");
      assertThat(refused.has("outputs")).isFalse();
    }
  }

  @Test
  void shouldLogNothingWhenSampleRateIsZero() throws Exception {
    try (RunningServer s = start("0", logs)) {
      for (int i = 0; i < 5; i++) {
        s.blocking().modelInfer(Requests.simple(1));
      }
      assertThat(s.server.meterRegistry().counter("tensorgate.payload.log.records").count())
          .isZero();
      assertThat(logs.resolve("payload.jsonl")).doesNotExist();
    }
  }

  @Test
  void shouldKeepServingAndCountDroppedLinesWhenLogPathIsUnwritable() throws Exception {
    // A folder below a regular file cannot be created, even by root.
    Path blocker = Files.writeString(logs.resolve("not-a-folder"), "x");
    try (RunningServer s = start("1", blocker.resolve("payload"))) {
      for (int i = 0; i < 5; i++) {
        assertThat(s.blocking().modelInfer(Requests.simple(1)).getOutputsCount()).isEqualTo(2);
      }

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  s.server
                          .meterRegistry()
                          .counter("tensorgate.payload.log.dropped", "reason", "io_error")
                          .count()
                      == 5);
      assertThat(s.server.meterRegistry().counter("tensorgate.payload.log.records").count())
          .isZero();
      assertThat(s.blocking().modelInfer(Requests.simple(1)).getOutputsCount()).isEqualTo(2);
    }
  }
}
