package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.security.SecurityOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP connections count against the server-wide connection cap ({@code --grpc-max-connections}),
 * so a flood of HTTP connections cannot take the descriptors gRPC and shared memory need.
 */
class HttpConnectionLimitsEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldCloseAnHttpConnectionPastTheServerWideCap() throws Exception {
    try (HttpCalls http =
            HttpCalls.start(
                TensorgateServer.builder()
                    .modelRepository(repo)
                    .security(new SecurityOptions().maxConnections(2).newConnectionsPerSecond(0)));
        RawHttp first = new RawHttp(http.port());
        RawHttp second = new RawHttp(http.port())) {
      first.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      second.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(first.read().status()).isEqualTo(200);
      assertThat(second.read().status()).isEqualTo(200);

      try (RawHttp third = new RawHttp(http.port())) {
        third.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(third.closedByServer()).isTrue();
      }
      first.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(first.read().status()).as("the open ones keep working").isEqualTo(200);
    }
  }
}
