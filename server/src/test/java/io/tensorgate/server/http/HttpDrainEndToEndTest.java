package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.GateBackend;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain over HTTP: requests accepted before shutdown are answered (their responses fully
 * written), new ones are turned away, and the server stops once they are done.
 */
class HttpDrainEndToEndTest {
  @TempDir Path repo;

  private static final String BODY =
      "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
          + "\"data\":[7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7]}]}";

  /** Repeated, as a lost answer at shutdown is a race. */
  @RepeatedTest(5)
  void shouldAnswerAcceptedRequestsAndTurnAwayNewOnesWhenShuttingDown() throws Exception {
    GateBackend.close("http-drain");
    new TestRepository(repo)
        .withGateModel("gated", "http-drain", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    HttpCalls http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo));
    List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      accepted.add(
          http.client.sendAsync(
              HttpRequest.newBuilder(URI.create(http.base + "/v2/models/gated/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString(BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    // One request executes (held at the gate); the others wait in the queue.
    await().atMost(Duration.ofSeconds(10)).until(() -> GateBackend.waiting("http-drain") == 1);
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(http.server.server::shutdown);
    await().atMost(Duration.ofSeconds(10)).until(() -> !http.server.server.isReady());

    await().atMost(Duration.ofSeconds(10)).until(() -> refused(http));

    GateBackend.open("http-drain");
    for (CompletableFuture<HttpResponse<String>> f : accepted) {
      HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("OUTPUT0");
    }
    stopping.get(20, TimeUnit.SECONDS);
    assertThat(GateBackend.executions("http-drain")).isEqualTo(4);
    http.close();
  }

  /** Whether a new request is turned away: 503, or no connection at all. */
  private static boolean refused(HttpCalls http) {
    try {
      return http.get("/v2/health/ready").status() == 503;
    } catch (Exception e) {
      return true;
    }
  }
}
