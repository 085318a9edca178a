package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing through HTTP: the admin RoutingService as JSON at {@code /v2/tensorgate/routing/...},
 * version labels in the path, and the {@code tensorgate-routing-key} header keeping a client on one
 * side of a canary split, exactly as over gRPC.
 */
class HttpRoutingEndToEndTest {
  @TempDir static Path repo;
  static HttpCalls http;

  @BeforeAll
  static void start() throws Exception {
    ScriptedBackend.reset("m");
    ScriptedBackend.writeModel(repo, "m", "", 1, 2);
    http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo));
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  private static final String BODY =
      "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
          + "\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}],\"outputs\":[{\"name\":\"OUTPUT0\"}]}";

  private static String version(String path, String... headers) throws Exception {
    HttpCalls.Answer a = http.post(path, BODY, headers);
    assertThat(a.status()).as(a.text()).isEqualTo(200);
    return a.json().path("model_version").asText();
  }

  @Test
  void shouldAnswerAdminCallsAsJsonWithTheProtosFieldNames() throws Exception {
    HttpCalls.Answer a =
        http.post(
            "/v2/tensorgate/routing/SetLabel",
            "{\"model_name\":\"m\",\"label\":\"stable\",\"version\":1}");

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    JsonNode routing = a.json().path("routing");
    assertThat(routing.path("labels").path("stable").asText()).isEqualTo("1");
    JsonNode read =
        http.post(
                "/v2/tensorgate/tensorgate.admin.v1.RoutingService/GetRouting",
                "{\"model_name\":\"m\"}")
            .json();
    assertThat(read.path("routing").path("labels").has("stable")).isTrue();
  }

  @Test
  void shouldServeTheLabelledVersionWhenThePathNamesALabel() throws Exception {
    http.post(
        "/v2/tensorgate/routing/SetLabel",
        "{\"model_name\":\"m\",\"label\":\"canary\",\"version\":2}");

    assertThat(version("/v2/models/m/versions/canary/infer")).isEqualTo("2");
    assertThat(version("/v2/models/m/versions/1/infer")).isEqualTo("1");
  }

  @Test
  void shouldKeepARoutingKeyOnOneSideOfTheSplit() throws Exception {
    HttpCalls.Answer set =
        http.post(
            "/v2/tensorgate/routing/SetCanary",
            "{\"model_name\":\"m\",\"version\":2,\"weight_percent\":50}");
    assertThat(set.status()).as(set.text()).isEqualTo(200);
    Set<String> keyless = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      keyless.add(version("/v2/models/m/infer"));
    }
    assertThat(keyless).containsExactlyInAnyOrder("1", "2");

    Set<String> keyed = new HashSet<>();
    for (int k = 0; k < 10; k++) {
      String first = version("/v2/models/m/infer", "tensorgate-routing-key", "user-" + k);
      keyed.add(first);
      for (int i = 0; i < 3; i++) {
        assertThat(version("/v2/models/m/infer", "tensorgate-routing-key", "user-" + k))
            .isEqualTo(first);
      }
    }
    assertThat(keyed).containsExactlyInAnyOrder("1", "2");
    http.post("/v2/tensorgate/routing/SetCanary", "{\"model_name\":\"m\",\"version\":0}");
  }

  @Test
  void shouldAnswerTheAdminServicesErrorWithItsStatus() throws Exception {
    HttpCalls.Answer a =
        http.post(
            "/v2/tensorgate/routing/SetCanary",
            "{\"model_name\":\"m\",\"version\":2,\"weight_percent\":150}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).contains("weight");
  }

  @Test
  void shouldAnswerBadRequestWhenTheAdminBodyDoesNotParse() throws Exception {
    HttpCalls.Answer a = http.post("/v2/tensorgate/routing/GetRouting", "{\"no_such_field\":1}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).startsWith("Unable to parse the request body as GetRoutingRequest");
  }

  @Test
  void shouldAnswerNotFoundWhenTheAdminMethodIsUnknown() throws Exception {
    assertThat(http.post("/v2/tensorgate/routing/Nope", "{}").status()).isEqualTo(404);
    assertThat(http.post("/v2/tensorgate/nope/GetRouting", "{}").status()).isEqualTo(404);
  }
}
