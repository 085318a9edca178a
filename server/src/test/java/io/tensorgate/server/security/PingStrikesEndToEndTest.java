package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.GrpcTransportOptions;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's {@code --grpc-http2-max-ping-strikes=0} accepts any number of client pings; grpc-java's
 * own limit (two strikes, then GOAWAY ENHANCE_YOUR_CALM) stays the default.
 */
class PingStrikesEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldAnswerEveryPingWithoutGoAwayWhenPingStrikesAreZero() throws Exception {
    try (RunningServer s =
            RunningServer.start(
                TensorgateServer.builder()
                    .modelRepository(repo)
                    .transport(new GrpcTransportOptions().maxPingStrikes(0)));
        RawHttp2 c = RawHttp2.connect(s.server.port(), 10_000)) {
      c.preface();
      for (int i = 0; i < 10; i++) {
        c.ping(i);
      }
      c.send();

      assertThat(c.pingsAcknowledged(10)).isTrue();
    }
  }

  @Test
  void shouldSendGoAwayAfterTwoStrikesByDefault() throws Exception {
    try (RunningServer s = RunningServer.start(TensorgateServer.builder().modelRepository(repo));
        RawHttp2 c = RawHttp2.connect(s.server.port(), 10_000)) {
      c.preface();
      for (int i = 0; i < 10; i++) {
        c.ping(i);
      }
      c.send();

      assertThat(c.pingsAcknowledged(10)).isFalse();
    }
  }
}
