package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 abuse through grpc-java's knobs: ping floods and rapid resets end in GOAWAY
 * ENHANCE_YOUR_CALM, a connection that never handshakes is closed, and one connection cannot run
 * more calls at once than allowed.
 */
class Http2LimitsEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(
                    new SecurityOptions()
                        .maxRstFrames(20, 30)
                        .handshakeTimeoutMillis(300)
                        .maxConcurrentStreams(1)));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void shouldSendGoAwayWhenClientFloodsPings() throws Exception {
    try (RawHttp2 c = RawHttp2.connect(server.server.port(), 10_000)) {
      c.preface();
      for (int i = 0; i < 10; i++) {
        c.ping(i);
      }
      c.send();
      assertThat(c.awaitGoAwayOrClose()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void shouldSendGoAwayWhenClientResetsStreamsRapidly() throws Exception {
    try (RawHttp2 c = RawHttp2.connect(server.server.port(), 10_000)) {
      c.preface();
      // 30 resets against a limit of 20, small enough (under 2 KiB) for the server to read in one
      // go.
      for (int stream = 1; stream < 2 * 30; stream += 2) {
        c.openStream(stream);
        c.reset(stream);
      }
      c.send();
      assertThat(c.awaitGoAwayOrClose()).isEqualTo(RawHttp2.ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void shouldCloseConnectionThatNeverHandshakes() throws Exception {
    try (RawHttp2 c = RawHttp2.connect(server.server.port(), 10_000)) {
      // Says nothing at all: closed after the 300 ms handshake timeout, not grpc's 120 s.
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void shouldHoldSecondCallOnAConnectionWhileItsOnlyStreamIsOpen() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    StreamObserver<ModelInferRequest> open =
        server
            .async()
            .modelStreamInfer(
                new StreamObserver<ModelStreamInferResponse>() {
                  @Override
                  public void onNext(ModelStreamInferResponse r) {
                    answered.countDown();
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    // An answer (an error for the unknown model) proves the stream is open on the server.
    open.onNext(ModelInferRequest.newBuilder().setModelName("none").build());
    assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      assertThatThrownBy(
              () ->
                  server
                      .blocking()
                      .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                      .serverLive(ServerLiveRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    } finally {
      open.onCompleted();
    }
    assertThat(server.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive())
        .isTrue();
  }
}
