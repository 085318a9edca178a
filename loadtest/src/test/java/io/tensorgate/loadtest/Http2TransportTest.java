package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lean client against a scripted grpc-java server: what reaches the server, what comes back.
 */
class Http2TransportTest {

  private ScriptedServer server;
  private Http2Transport transport;
  private final EncodedRequest live = EncodedRequest.of(ServerLiveRequest.getDefaultInstance());
  private final EncodedRequest ready = EncodedRequest.of(ServerReadyRequest.getDefaultInstance());

  @AfterEach
  void stop() throws Exception {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
    live.close();
    ready.close();
  }

  private Http2Transport connect(String method, Duration timeout, Map<String, String> metadata)
      throws Exception {
    return connect(server.port(), method, timeout, metadata);
  }

  private Http2Transport connect(
      int port, String method, Duration timeout, Map<String, String> metadata) throws Exception {
    transport =
        Http2Transport.connect(
            new Http2Transport.Options(
                new Http2Transport.Target("127.0.0.1", port),
                "/inference.GRPCInferenceService/" + method,
                1,
                1,
                TransportSecurity.plaintext(),
                null,
                metadata,
                timeout,
                Duration.ofSeconds(5),
                Duration.ZERO,
                false,
                Integer.MAX_VALUE,
                null));
    return transport;
  }

  /** Collects outcomes; {@link #await} waits for a number of them. */
  private static final class Outcomes implements CallTransport.Callback {
    final List<Status> statuses = new CopyOnWriteArrayList<>();
    private final CountDownLatch done;

    Outcomes(int expected) {
      done = new CountDownLatch(expected);
    }

    @Override
    public void onComplete(Status status, long endNanos) {
      statuses.add(status);
      done.countDown();
    }

    boolean await() throws InterruptedException {
      return done.await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldSendMetadataAndGrpcTimeoutWithEveryCall() throws Exception {
    server = new ScriptedServer(100);
    connect("ServerLive", Duration.ofSeconds(7), Map.of("x-token", "secret", "x-id-bin", "AQI"));
    Outcomes outcomes = new Outcomes(2);

    transport.send(live, 0, outcomes);
    transport.send(live, 0, outcomes);

    assertThat(outcomes.await()).isTrue();
    assertThat(outcomes.statuses).containsOnly(Status.OK);
    Metadata headers = server.headers.get(1);
    assertThat(headers.get(Metadata.Key.of("x-token", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("secret");
    assertThat(headers.get(Metadata.Key.of("x-id-bin", Metadata.BINARY_BYTE_MARSHALLER)))
        .containsExactly(1, 2);
    assertThat(headers.get(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER)))
        .isNotNull();
  }

  @Test
  void shouldFailWithDeadlineExceededWhenTheServerDoesNotAnswerInTime() throws Exception {
    server = new ScriptedServer(100);
    // The server enforces the grpc-timeout too and resets the stream with CANCEL, mostly before
    // the client's own check (every 100 ms at this timeout) notices: both count as the deadline.
    connect("ServerReady", Duration.ofSeconds(1), Map.of());
    Outcomes outcomes = new Outcomes(3);

    for (int i = 0; i < 3; i++) {
      transport.send(ready, 0, outcomes);
    }

    assertThat(outcomes.await()).isTrue();
    assertThat(outcomes.statuses)
        .allSatisfy(
            status -> assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void shouldFailWithDeadlineExceededWhenTheServerResetsWithCancelAfterTheDeadline()
      throws Exception {
    // grpc-go (ghz's client) reads a CANCEL that arrives once the deadline passed as the
    // deadline's.
    try (DeadlineResetServer resetting = new DeadlineResetServer(1_005)) {
      connect(resetting.port(), "ServerReady", Duration.ofSeconds(1), Map.of());
      Outcomes outcomes = new Outcomes(3);

      for (int i = 0; i < 3; i++) {
        transport.send(ready, 0, outcomes);
      }

      assertThat(outcomes.await()).isTrue();
      assertThat(outcomes.statuses)
          .allSatisfy(
              status -> assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }
  }

  @Test
  void shouldQueueCallsBeyondTheServersStreamLimitWhenAllAreHeld() throws Exception {
    server = new ScriptedServer(2);
    connect("ServerReady", Duration.ZERO, Map.of());
    Outcomes outcomes = new Outcomes(5);

    for (int i = 0; i < 5; i++) {
      transport.send(ready, 0, outcomes);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(server.awaitHeld(i < 2 ? 2 : 1)).isTrue();
      server.releaseReady();
    }

    assertThat(outcomes.await()).isTrue();
    assertThat(outcomes.statuses).hasSize(5).containsOnly(Status.OK);
  }

  @Test
  void shouldEndCallsInFlightWithTheGivenStatusWhenCancelled() throws Exception {
    server = new ScriptedServer(100);
    connect("ServerReady", Duration.ZERO, Map.of());
    Outcomes outcomes = new Outcomes(4);

    for (int i = 0; i < 4; i++) {
      transport.send(ready, i, outcomes);
    }
    assertThat(server.awaitHeld(4)).isTrue();
    transport.cancelAll(Status.UNAVAILABLE.withDescription("transport is closing"));

    assertThat(outcomes.await()).isTrue();
    assertThat(outcomes.statuses)
        .extracting(Status::getDescription)
        .containsOnly("transport is closing");
  }

  @Test
  void shouldFailCallsFastWithUnavailableWhenTheServerGoesAway() throws Exception {
    server = new ScriptedServer(100);
    connect("ServerReady", Duration.ZERO, Map.of());
    Outcomes held = new Outcomes(2);
    transport.send(ready, 0, held);
    transport.send(ready, 0, held);
    assertThat(server.awaitHeld(2)).isTrue();

    server.close();
    Outcomes after = new Outcomes(1);
    assertThat(held.await()).isTrue();
    transport.send(ready, 0, after);

    assertThat(after.await()).isTrue();
    assertThat(held.statuses).isNotEmpty();
    assertThat(after.statuses)
        .allSatisfy(status -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void shouldOpenANewConnectionWhenTheServerRetiresTheOldOne() throws Exception {
    server = new ScriptedServer(100, 300);
    connect("ServerLive", Duration.ofSeconds(5), Map.of());
    Outcomes first = new Outcomes(1);
    transport.send(live, 0, first);
    assertThat(first.await()).isTrue();

    // Calls keep going until one succeeds on a connection opened after the server's GOAWAY.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean servedByANewConnection = false;
    while (!servedByANewConnection && System.nanoTime() < end) {
      Outcomes next = new Outcomes(1);
      transport.send(live, 0, next);
      assertThat(next.await()).isTrue();
      servedByANewConnection = next.statuses.get(0).isOk() && server.connections() > 1;
    }

    assertThat(servedByANewConnection).isTrue();
  }
}
