package io.tensorgate.server.http;

import static io.tensorgate.server.http.HttpCalls.simpleJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TensorgateServerBuilder;
import io.tensorgate.server.TestRepository;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Triton's {@code --allow-grpc=false}: HTTP alone, every call through the in-process server. */
class HttpOnlyEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldServeInferenceOverHttpWhenGrpcIsOff() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    TensorgateServer server =
        TensorgateServer.builder()
            .modelRepository(repo)
            .allowGrpc(false)
            .http(new HttpOptions().port(0))
            .metricsPort(0)
            .exitTimeout(Duration.ofSeconds(10))
            .build()
            .start();
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + server.httpPort() + "/v2/models/simple/infer"))
                      .POST(HttpRequest.BodyPublishers.ofString(simpleJson()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("OUTPUT0");
      assertThat(server.port()).isEqualTo(-1);
    } finally {
      server.shutdown();
    }
  }

  @Test
  void shouldRefuseToStartWhenNeitherProtocolIsOn() {
    TensorgateServerBuilder b =
        TensorgateServer.builder().modelRepository(repo).allowGrpc(false).metricsPort(0);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.build().start())
        .hasMessageContaining("neither gRPC nor HTTP");
  }
}
