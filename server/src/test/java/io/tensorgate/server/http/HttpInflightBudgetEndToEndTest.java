package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-inflight-request-bytes} holds for HTTP requests too: a JSON BYTES request that would
 * need more than the budget once decoded is refused before it is decoded, as over gRPC.
 */
class HttpInflightBudgetEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldAnswerTooManyRequestsWhenBytesElementsNeedMoreThanTheBudget() throws Exception {
    new TestRepository(repo).withSampleModel("simple_identity");
    // 20,000 empty strings: 60 KB of JSON, about 1.36 MB once decoded.
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      data.append(i == 0 ? "\"\"" : ",\"\"");
    }
    String body =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,20000],\"datatype\":\"BYTES\",\"data\":["
            + data
            + "]}]}";
    try (HttpCalls http =
        HttpCalls.start(
            TensorgateServer.builder().modelRepository(repo).maxInflightRequestBytes(1 << 20))) {

      HttpCalls.Answer a = http.post("/v2/models/simple_identity/infer", body);

      assertThat(a.status()).as(a.text()).isEqualTo(429);
      assertThat(a.error())
          .isEqualTo(
              "request for model 'simple_identity' needs about 1360000 bytes once"
                  + " decoded, more than --max-inflight-request-bytes (1048576)");
    }
  }
}
