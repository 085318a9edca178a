package io.tensorgate.server.http;

import static io.tensorgate.server.http.HttpCalls.simpleJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.tracing.TraceSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The side paths see HTTP requests as gRPC ones: a W3C {@code traceparent} continues the caller's
 * trace, payload logs sample them, and Triton's metrics count them.
 */
class HttpObservabilityEndToEndTest {
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  static final String PARENT_ID = "b7ad6b7169203331";

  @TempDir static Path repo;
  @TempDir static Path logs;
  static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();
  static HttpCalls http;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path config = repo.resolve("simple/config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            + "\nparameters { key: \"payload_log_sample_rate\" value: { string_value: \"1\" } }\n");
    http =
        HttpCalls.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .observability(
                    new ObservabilityOptions()
                        .payloadLogDir(logs)
                        .traceSpanProcessor(SimpleSpanProcessor.create(EXPORTER))
                        .trace(TraceSettings.Level.TIMESTAMPS, 1, -1)));
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  @Test
  void shouldContinueTheCallersTraceWhenTraceparentIsSent() throws Exception {
    String body = "{\"id\":\"traced\"," + simpleJson().substring(1);

    http.post(
        "/v2/models/simple/infer", body, "traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spans().stream().anyMatch(s -> s.getTraceId().equals(TRACE_ID)));
    SpanData root =
        spans().stream()
            .filter(s -> s.getTraceId().equals(TRACE_ID) && s.getName().equals("ModelInfer"))
            .findFirst()
            .orElseThrow();
    assertThat(root.getParentSpanId()).isEqualTo(PARENT_ID);
  }

  private static List<SpanData> spans() {
    return EXPORTER.getFinishedSpanItems();
  }

  @Test
  void shouldLogTheRequestsPayloadWhenTheModelSamplesIt() throws Exception {
    String body = "{\"id\":\"logged\"," + simpleJson().substring(1);

    http.post("/v2/models/simple/infer", body);

    Path file = logs.resolve("payload.jsonl");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(file) && Files.readString(file).contains("\"logged\""));
    JsonNode line =
        Files.readAllLines(file).stream()
            .filter(l -> l.contains("\"logged\""))
            .map(l -> HttpCalls.JSON.valueToTree(parse(l)))
            .map(JsonNode.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(line.path("status").asText()).isEqualTo("OK");
    assertThat(line.path("inputs").get(0).path("name").asText()).isEqualTo("INPUT0");
  }

  private static JsonNode parse(String line) {
    try {
      return HttpCalls.JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void shouldCountTheRequestInTritonsMetrics() throws Exception {
    long before = successes();

    http.post("/v2/models/simple/infer", simpleJson());

    assertThat(successes()).isEqualTo(before + 1);
  }

  private static long successes() throws Exception {
    String text =
        http.client
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + http.server.server.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return text.lines()
        .filter(l -> l.startsWith("nv_inference_request_success{") && l.contains("\"simple\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
