package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.metrics.Scrape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection limits over real loopback sockets: a cap on open connections, a server-wide rate of
 * new ones, idle connections closed, and a server-wide budget of stream resets.
 */
class ConnectionLimitsEndToEndTest {
  @TempDir Path repo;

  private RunningServer start(SecurityOptions o) throws Exception {
    return RunningServer.start(TensorgateServer.builder().modelRepository(repo).security(o));
  }

  /**
   * A connection that sent its HTTP/2 preface; one the server closed at once may fail to send it,
   * which {@link RawHttp2#closedByServer} then reports.
   */
  private static RawHttp2 handshaked(int port) throws Exception {
    RawHttp2 c = RawHttp2.connect(port, 2_000);
    try {
      c.preface();
      c.send();
    } catch (IOException refusedAlready) {
      // Reset by the server: reading says so.
    }
    return c;
  }

  /** Closed by the server; an open connection is given 300 ms to prove it stays open. */
  private static boolean refused(RawHttp2 c) throws IOException {
    return c.closedByServer(300);
  }

  @Test
  void shouldCloseConnectionsOverTheCapAndAcceptOnesWhenOthersLeave() throws Exception {
    try (RunningServer s = start(new SecurityOptions().maxConnections(3))) {
      int port = s.server.port();
      List<RawHttp2> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          open.add(handshaked(port));
        }
        for (RawHttp2 c : open) {
          assertThat(refused(c)).as("connection under the cap").isFalse();
        }
        try (RawHttp2 over = handshaked(port)) {
          assertThat(refused(over)).as("connection over the cap").isTrue();
        }
        open.remove(0).close();
        // The server sees the close a little later; then a new connection stays open.
        Awaitility.await()
            .atMost(10, TimeUnit.SECONDS)
            .until(
                () -> {
                  try (RawHttp2 c = handshaked(port)) {
                    return !refused(c);
                  }
                });
      } finally {
        for (RawHttp2 c : open) {
          c.close();
        }
      }
    }
  }

  @Test
  void shouldRefuseNewConnectionsOverTheServerWideRate() throws Exception {
    int attempts = 40;
    try (RunningServer s = start(new SecurityOptions().newConnectionsPerSecond(5))) {
      long start = System.nanoTime();
      List<RawHttp2> all = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        all.add(handshaked(s.server.port()));
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
      int refused = 0;
      for (RawHttp2 c : all) {
        if (refused(c)) {
          refused++;
        }
        c.close();
      }
      // At most a second's worth saved up (5) plus 5 a second while connecting.
      assertThat(refused).isGreaterThanOrEqualTo((int) (attempts - 5 - 5 * seconds));
    }
  }

  @Test
  void shouldSendGoAwayToAConnectionIdleForTheIdleTimeout() throws Exception {
    try (RunningServer s = start(new SecurityOptions().maxConnectionIdleSeconds(1));
        RawHttp2 c = RawHttp2.connect(s.server.port(), 10_000)) {
      c.preface();
      c.send();
      assertThat(c.awaitGoAwayOrClose()).isEqualTo(RawHttp2.NO_ERROR);
    }
  }

  @Test
  void shouldCloseIdleConnectionsAndCapConnectionsByDefault() {
    SecurityOptions defaults = new SecurityOptions();
    assertThat(defaults.maxConnectionIdleSeconds).isEqualTo(300);
    assertThat(defaults.maxConnections).isEqualTo(-1);
    assertThat(ConnectionLimits.defaultMaxConnections(1024)).isEqualTo(384);
    assertThat(ConnectionLimits.defaultMaxConnections(1 << 20)).isEqualTo(10_000);
    assertThat(ConnectionLimits.defaultMaxConnections(300)).isEqualTo(64);
    assertThat(ConnectionLimits.defaultMaxConnections(-1)).isEqualTo(10_000);
  }

  @Test
  void shouldCutOffConnectionsWhoseResetsTogetherExceedTheServerBudget() throws Exception {
    int connections = 10;
    int resetsEach = 30;
    try (RunningServer s =
        start(new SecurityOptions().maxRstFrames(200, 30).totalRstFramesPerSecond(50))) {
      List<RawHttp2> all = new ArrayList<>();
      try {
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
          RawHttp2 c = RawHttp2.connect(s.server.port(), 3_000);
          c.preface();
          // Each stays far under the per-connection limit of 200.
          for (int stream = 1; stream < 2 * resetsEach; stream += 2) {
            c.openStream(stream);
            c.reset(stream);
          }
          c.send();
          all.add(c);
        }
        int cut = 0;
        for (RawHttp2 c : all) {
          if (c.awaitGoAwayOrTimeout() == RawHttp2.ENHANCE_YOUR_CALM) {
            cut++;
          }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 1;
        // 300 resets against 50 saved up plus 50 a second: all but the first connections, as long
        // as the resets arrive within a few seconds, are cut off.
        long allowed = 50 + 50 * seconds;
        assertThat(cut)
            .isGreaterThanOrEqualTo((int) (connections - (allowed + resetsEach - 1) / resetsEach));
        assertThat(cut).isPositive();
        // The bounded total: what the budget allowed, plus at most one reset that cut each one.
        assertThat(Scrape.of(s.server.metricsPort()).value("tensorgate_grpc_stream_resets_total"))
            .isLessThanOrEqualTo(allowed + connections);
      } finally {
        for (RawHttp2 c : all) {
          c.close();
        }
      }
    }
  }
}
