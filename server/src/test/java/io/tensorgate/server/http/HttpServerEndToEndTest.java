package io.tensorgate.server.http;

import static io.tensorgate.server.http.HttpCalls.simpleJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health, metadata, configuration, statistics, repository index, trace and log settings over HTTP
 * with a plain HttpClient, in Triton's JSON shapes and status codes (what {@code
 * simple_http_health_metadata.py} and Triton's HTTP client read).
 */
class HttpServerEndToEndTest {
  @TempDir static Path repo;
  static HttpCalls http;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo));
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  @Test
  void shouldAnswerOkWithNoBodyWhenLive() throws Exception {
    HttpCalls.Answer a = http.get("/v2/health/live?test_1=1&test_2=2");

    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body()).isEmpty();
  }

  @Test
  void shouldAnswerOkWhenReady() throws Exception {
    assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
  }

  @Test
  void shouldAnswerOkWhenTheModelIsReady() throws Exception {
    assertThat(http.get("/v2/models/simple/ready").status()).isEqualTo(200);
    assertThat(http.get("/v2/models/simple/versions/1/ready").status()).isEqualTo(200);
  }

  @Test
  void shouldAnswerBadRequestWhenTheModelIsNotReady() throws Exception {
    HttpCalls.Answer a = http.get("/v2/models/absent/ready");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("Model version not ready");
  }

  @Test
  void shouldListTheExtensionsWhenAskedForServerMetadata() throws Exception {
    JsonNode m = http.get("/v2").json();

    assertThat(m.path("name").asText()).isNotEmpty();
    assertThat(m.path("version").asText()).isNotEmpty();
    assertThat(m.path("extensions").toString()).contains("binary_tensor_data", "classification");
  }

  @Test
  void shouldDescribeTheModelWithNumericShapesWhenAskedForMetadata() throws Exception {
    JsonNode m = http.get("/v2/models/simple?test_1=1").json();

    assertThat(m.path("name").asText()).isEqualTo("simple");
    assertThat(m.path("versions").get(0).asText()).isEqualTo("1");
    assertThat(m.path("platform").asText()).isEqualTo("onnxruntime_onnx");
    JsonNode in = m.path("inputs").get(0);
    assertThat(in.path("datatype").asText()).isEqualTo("INT32");
    assertThat(in.path("shape").get(0).isNumber()).isTrue();
    assertThat(in.path("shape").get(0).asLong()).isEqualTo(-1);
    assertThat(in.path("shape").get(1).asLong()).isEqualTo(16);
  }

  @Test
  void shouldAnswerNotFoundWithTritonsWordsWhenTheModelIsUnknown() throws Exception {
    HttpCalls.Answer a = http.get("/v2/models/wrong_model_name");

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(a.error()).contains("Request for unknown model");
  }

  @Test
  void shouldReturnTheConfigurationWithNumbersWhenAskedForConfig() throws Exception {
    JsonNode c = http.get("/v2/models/simple/config").json();

    assertThat(c.path("name").asText()).isEqualTo("simple");
    assertThat(c.path("max_batch_size").asInt()).isEqualTo(8);
    JsonNode dims = c.path("input").get(0).path("dims");
    assertThat(dims.get(0).isNumber()).isTrue();
    assertThat(dims.get(0).asLong()).isEqualTo(16);
  }

  @Test
  void shouldCountInferencesWhenAskedForStatistics() throws Exception {
    long before = count(http.get("/v2/models/simple/stats").json());
    http.post("/v2/models/simple/infer", simpleJson());

    JsonNode s = http.get("/v2/models/simple/stats").json();

    JsonNode model = s.path("model_stats").get(0);
    assertThat(model.path("name").asText()).isEqualTo("simple");
    assertThat(model.path("inference_count").isNumber()).isTrue();
    assertThat(count(s)).isEqualTo(before + 1);
  }

  private static long count(JsonNode stats) {
    return stats
        .path("model_stats")
        .get(0)
        .path("inference_stats")
        .path("success")
        .path("count")
        .asLong();
  }

  @Test
  void shouldListEveryModelWhenAskedForStatisticsOfAll() throws Exception {
    JsonNode s = http.get("/v2/models/stats").json();

    assertThat(s.path("model_stats").toString()).contains("\"simple\"");
  }

  @Test
  void shouldAnswerAnArrayWhenAskedForTheRepositoryIndex() throws Exception {
    JsonNode index = http.post("/v2/repository/index", "").json();

    assertThat(index.isArray()).isTrue();
    assertThat(index.get(0).path("name").asText()).isEqualTo("simple");
    assertThat(index.get(0).path("state").asText()).isEqualTo("READY");
  }

  @Test
  void shouldAnswerMethodNotAllowedWhenTheIndexIsRead() throws Exception {
    HttpCalls.Answer a = http.get("/v2/repository/index");

    assertThat(a.status()).isEqualTo(405);
    assertThat(a.error()).isEqualTo("Method Not Allowed");
  }

  @Test
  void shouldAnswerNotFoundWhenThePathIsUnknown() throws Exception {
    HttpCalls.Answer a = http.get("/v2/unknown/thing");

    assertThat(a.status()).isEqualTo(404);
    assertThat(a.error()).isEqualTo("Not Found");
  }

  @Test
  void shouldReadTheTraceSettingsWhenGettingThem() throws Exception {
    JsonNode t = http.get("/v2/trace/setting").json();

    assertThat(t.path("trace_level").isArray()).isTrue();
    assertThat(t.path("trace_rate").isTextual()).isTrue();
    assertThat(t.path("trace_mode").asText()).isEqualTo("opentelemetry");
  }

  @Test
  void shouldUpdateAModelsTraceSettingsWhenPostingThem() throws Exception {
    JsonNode t =
        http.post(
                "/v2/models/simple/trace/setting",
                "{\"trace_level\":[\"TIMESTAMPS\"],\"trace_rate\":\"7\"}")
            .json();

    assertThat(t.path("trace_level").get(0).asText()).isEqualTo("TIMESTAMPS");
    assertThat(t.path("trace_rate").asText()).isEqualTo("7");
    assertThat(http.get("/v2/trace/setting").json().path("trace_rate").asText()).isNotEqualTo("7");
  }

  @Test
  void shouldRefuseTheTraceFileWhenPostedAsTritonDoes() throws Exception {
    HttpCalls.Answer a = http.post("/v2/trace/setting", "{\"trace_file\":\"/tmp/x\"}");

    assertThat(a.status()).isEqualTo(501);
    assertThat(a.error()).contains("trace file location can not be updated");
  }

  @Test
  void shouldReadTheLogSettingsWhenGettingThem() throws Exception {
    JsonNode l = http.get("/v2/logging").json();

    assertThat(l.path("log_info").isBoolean()).isTrue();
    assertThat(l.path("log_verbose_level").isNumber()).isTrue();
    assertThat(l.path("log_format").isTextual()).isTrue();
  }

  @Test
  void shouldChangeTheVerboseLevelWhenPostingLogSettings() throws Exception {
    JsonNode l = http.post("/v2/logging", "{\"log_verbose_level\":1}").json();

    assertThat(l.path("log_verbose_level").asInt()).isEqualTo(1);
    http.post("/v2/logging", "{\"log_verbose_level\":0}");
  }
}
