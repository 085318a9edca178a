package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.testing.GateBackend;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away before its answer cancels its call, as a cancelled gRPC call does: the
 * request waiting in the queue is dropped, not executed for nobody.
 */
class HttpCancelEndToEndTest {
  @TempDir Path repo;

  private static final String BODY =
      "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
          + "\"data\":[7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7]}]}";

  @Test
  void shouldDropAQueuedRequestWhenItsClientDisconnects() throws Exception {
    GateBackend.close("http-cancel");
    new TestRepository(repo)
        .withGateModel("gated", "http-cancel", "instance_group [{ count: 1 kind: KIND_CPU }]\n");
    try (HttpCalls http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo))) {
      CompletableFuture<HttpResponse<String>> held =
          http.client.sendAsync(
              HttpRequest.newBuilder(URI.create(http.base + "/v2/models/gated/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString(BODY))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(10)).until(() -> GateBackend.waiting("http-cancel") == 1);
      try (RawHttp raw = new RawHttp(http.port())) {
        raw.send(
            "POST /v2/models/gated/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + BODY.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n"
                + BODY);
        await().atMost(Duration.ofSeconds(10)).until(() -> openCalls(http) == 2);
      }

      // The queued request's call ends with its connection...
      await().atMost(Duration.ofSeconds(10)).until(() -> openCalls(http) == 1);
      GateBackend.open("http-cancel");

      // ...and only the held one executes.
      HttpResponse<String> r = held.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      LoadedVersion gated =
          http.server
              .server
              .repository()
              .registry()
              .get("gated")
              .ready()
              .values()
              .iterator()
              .next();
      await().atMost(Duration.ofSeconds(10)).until(() -> gated.inFlight() == 0);
      assertThat(GateBackend.executions("http-cancel")).isEqualTo(1);
    }
  }

  private static int openCalls(HttpCalls http) {
    return http.server.server.openCalls().unary();
  }
}
