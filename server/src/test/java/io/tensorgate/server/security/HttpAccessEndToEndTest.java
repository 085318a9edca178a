package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.http.HttpOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP takes the gRPC port's access rules, group by group: bearer tokens in {@code Authorization}
 * (401 with {@code WWW-Authenticate: Bearer} when missing or wrong), Triton's restricted-protocol
 * headers (403, as Triton's HTTP answers), and the admin services behind the admin token.
 */
class HttpAccessEndToEndTest {
  static final String ADMIN_TOKEN = "admin-0123456789abcdef";
  static final String INFER_TOKEN = "infer-0123456789abcdef";

  @TempDir static Path dir;
  static RunningServer server;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens,
        "admin, model-repository: "
            + ADMIN_TOKEN
            + "\n"
            + "inference,metadata,health: "
            + INFER_TOKEN
            + "\n");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .http(new HttpOptions().port(0))
                .security(
                    new SecurityOptions()
                        .authTokenFile(tokens)
                        .restrictedProtocol("statistics,trace:stats-key=stats-value")));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort() + path))
            .timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerUnauthorizedWithTheGrpcMessageWhenTheTokenIsMissing() throws Exception {
    HttpResponse<String> r = get("/v2/health/live");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer");
    assertThat(r.body()).contains("'health' protocol requires a bearer token");
  }

  @Test
  void shouldAnswerUnauthorizedWhenTheTokenIsWrong() throws Exception {
    HttpResponse<String> r =
        get("/v2/health/live", "Authorization", "Bearer infer-0123456789abcdeX");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("invalid bearer token for the 'health' protocol");
  }

  @Test
  void shouldAnswerUnauthorizedWhenTheTokenBelongsToAnotherGroup() throws Exception {
    HttpResponse<String> r = get("/v2/models/simple", "Authorization", "Bearer " + ADMIN_TOKEN);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("invalid bearer token for the 'metadata' protocol");
  }

  @Test
  void shouldServeTheCallWhenTheGroupsTokenIsGiven() throws Exception {
    assertThat(get("/v2/health/live", "Authorization", "Bearer " + INFER_TOKEN).statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldAnswerForbiddenNamingTheHeaderWhenARestrictedHeaderIsMissing() throws Exception {
    HttpResponse<String> r = get("/v2/models/stats");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body())
        .contains("This protocol is restricted, expecting header 'triton-grpc-protocol-stats-key'");
  }

  @Test
  void shouldServeTheCallWhenTheRestrictedHeaderIsRight() throws Exception {
    HttpResponse<String> r =
        get("/v2/models/stats", "triton-grpc-protocol-stats-key", "stats-value");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("model_stats");
  }

  @Test
  void shouldGuardTheAdminServicesWithTheAdminToken() throws Exception {
    String path = "/v2/tensorgate/monitoring/GetDrift";

    assertThat(get(path).statusCode()).isEqualTo(401);
    assertThat(get(path, "Authorization", "Bearer " + INFER_TOKEN).statusCode()).isEqualTo(401);
    // With the admin token the call reaches the service, which answers for itself.
    assertThat(get(path, "Authorization", "Bearer " + ADMIN_TOKEN).statusCode()).isNotEqualTo(401);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldRefuseAStateChangeOfAGroupWithoutARuleOnceATokenFileIsGiven() throws Exception {
    HttpResponse<String> r =
        post("/v2/systemsharedmemory/region/r/register", "{\"key\":\"/k\",\"byte_size\":64}");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("changes server state");
  }

  @Test
  void shouldRefuseChangingLogSettingsButLetThemBeReadOnceATokenFileIsGiven() throws Exception {
    assertThat(post("/v2/logging", "{\"log_verbose_level\":3}").statusCode()).isEqualTo(403);
    assertThat(get("/v2/logging").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldLeaveGroupsWithoutRulesOpen() throws Exception {
    HttpResponse<String> r = get("/v2/systemsharedmemory/status");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("[]");
  }
}
