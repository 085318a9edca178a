package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-inflight-request-bytes} bounds the request bodies HTTP connections hold while they
 * are read, not only decoded requests: clients sending large bodies slowly cannot together hold
 * more, and once they go the budget is free again.
 */
class HttpBodyBudgetEndToEndTest {
  private static final int BUDGET = 1 << 20;

  @TempDir Path repo;

  /** A valid infer request for {@code simple}, padded with JSON whitespace to about 400 KB. */
  private static String paddedSimple() {
    return HttpCalls.simpleJson() + " ".repeat(400_000);
  }

  @Test
  void shouldAnswerTooManyRequestsWhileOtherConnectionsHoldTheBudgetInBodies() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (HttpCalls http =
        HttpCalls.start(
            TensorgateServer.builder().modelRepository(repo).maxInflightRequestBytes(BUDGET))) {
      assertThat(http.post("/v2/models/simple/infer", paddedSimple()).status()).isEqualTo(200);
      AtomicReference<HttpCalls.Answer> refused = new AtomicReference<>();

      try (RawHttp slow = new RawHttp(http.port())) {
        // 800 KB of a declared 900 KB, and then nothing: the request stays unanswered.
        slow.send(
            "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 900000\r\n\r\n");
        slow.send(" ".repeat(800_000));

        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  HttpCalls.Answer a = http.post("/v2/models/simple/infer", paddedSimple());
                  refused.set(a);
                  return a.status() == 429;
                });
      }

      assertThat(refused.get().error())
          .matches(
              "request bodies being read hold \\d+ of 1048576 bytes"
                  + " \\(--max-inflight-request-bytes\\); retry later");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> http.post("/v2/models/simple/infer", paddedSimple()).status() == 200);
    }
  }
}
