package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerLiveResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retries, deadlines, credentials and cancellation over a real channel to a scripted server. */
class ClientCallsTest {
  private static final InferRequest REQUEST = InferRequest.builder("m").id("r").build();

  /** Answers ModelInfer with {@code failures} errors of {@code code} first, then an answer. */
  private static final class Failing extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    final AtomicInteger attempts = new AtomicInteger();
    final int failures;
    final Status status;

    Failing(int failures, Status status) {
      this.failures = failures;
      this.status = status;
    }

    @Override
    public void modelInfer(ModelInferRequest r, StreamObserver<ModelInferResponse> out) {
      if (attempts.incrementAndGet() <= failures) {
        out.onError(status.asRuntimeException());
        return;
      }
      out.onNext(
          ModelInferResponse.newBuilder()
              .setModelName(r.getModelName())
              .setId(r.getId())
              .setModelVersion("3")
              .build());
      out.onCompleted();
    }

    @Override
    public void serverLive(ServerLiveRequest r, StreamObserver<ServerLiveResponse> out) {
      out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
      out.onCompleted();
    }
  }

  /** Never answers ModelInfer; counts down when a call is cancelled. */
  private static final class Silent extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    final CountDownLatch received = new CountDownLatch(1);
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void modelInfer(ModelInferRequest r, StreamObserver<ModelInferResponse> out) {
      ((ServerCallStreamObserver<ModelInferResponse>) out).setOnCancelHandler(cancelled::countDown);
      received.countDown();
    }
  }

  private static TensorgateClientBuilder retrying(FakeServer s) {
    return TensorgateClient.builder(s.target())
        .retryOnUnavailable(3, Duration.ofMillis(1), Duration.ofMillis(5));
  }

  @Test
  void shouldRetryUnavailableWhenRetryPolicyIsSet() throws Exception {
    Failing service =
        new Failing(2, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = retrying(s).build()) {
      InferResult r = c.infer(REQUEST);
      assertThat(r.modelVersion()).isEqualTo("3");
      assertThat(service.attempts).hasValue(3);
    }
  }

  @Test
  void shouldGiveUpAfterMaxAttemptsWhenStillUnavailable() throws Exception {
    Failing service =
        new Failing(100, Status.UNAVAILABLE.withDescription("Exceeds maximum queue size"));
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = retrying(s).build()) {
      assertThatThrownBy(() -> c.infer(REQUEST))
          .isInstanceOfSatisfying(
              InferenceServerException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.serverMessage()).isEqualTo("Exceeds maximum queue size");
              });
      assertThat(service.attempts).hasValue(3);
    }
  }

  @Test
  void shouldNotRetryWhenNoRetryPolicyIsSet() throws Exception {
    Failing service = new Failing(1, Status.UNAVAILABLE.withDescription("busy"));
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build()) {
      assertThatThrownBy(() -> c.infer(REQUEST)).isInstanceOf(InferenceServerException.class);
      assertThat(service.attempts).hasValue(1);
    }
  }

  @Test
  void shouldNotRetryWhenTheErrorIsNotUnavailable() throws Exception {
    Failing service = new Failing(1, Status.INVALID_ARGUMENT.withDescription("bad shape"));
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = retrying(s).build()) {
      assertThatThrownBy(() -> c.infer(REQUEST))
          .isInstanceOfSatisfying(
              InferenceServerException.class,
              e -> assertThat(e.getMessage()).isEqualTo("INVALID_ARGUMENT: bad shape"));
      assertThat(service.attempts).hasValue(1);
    }
  }

  @Test
  void shouldFailWithDeadlineExceededWhenTheDefaultDeadlinePasses() throws Exception {
    try (FakeServer s = new FakeServer(new Silent());
        TensorgateClient c =
            TensorgateClient.builder(s.target()).defaultDeadline(Duration.ofMillis(200)).build()) {
      assertThatThrownBy(() -> c.infer(REQUEST))
          .isInstanceOfSatisfying(
              InferenceServerException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }
  }

  @Test
  void shouldUseTheRequestsDeadlineWhenItSetsOne() throws Exception {
    try (FakeServer s = new FakeServer(new Silent());
        TensorgateClient c =
            TensorgateClient.builder(s.target()).defaultDeadline(Duration.ofHours(1)).build()) {
      InferRequest r = InferRequest.builder("m").deadline(Duration.ofMillis(200)).build();
      assertThatThrownBy(() -> c.inferAsync(r).join())
          .satisfies(
              e ->
                  assertThat(InferenceServerException.from(e).code())
                      .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }
  }

  @Test
  void shouldCancelTheCallOnTheServerWhenTheFutureIsCancelled() throws Exception {
    Silent service = new Silent();
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build()) {
      CompletableFuture<InferResult> f = c.inferAsync(REQUEST);
      assertThat(service.received.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(f.cancel(true)).isTrue();
      assertThat(service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void shouldSendTheBearerTokenWithEveryCallWhenOneIsSet() throws Exception {
    try (FakeServer s = new FakeServer(new Failing(0, Status.OK));
        TensorgateClient c =
            TensorgateClient.builder(s.target()).bearerToken("abcdefgh01234567").build()) {
      c.isServerLive();
      c.infer(REQUEST);
      Metadata.Key<String> auth =
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
      assertThat(s.headers)
          .hasSize(2)
          .allSatisfy(h -> assertThat(h.get(auth)).isEqualTo("Bearer abcdefgh01234567"));
    }
  }

  @Test
  void shouldLeaveTheCallersChannelOpenWhenTheClientCloses() throws Exception {
    try (FakeServer s = new FakeServer(new Failing(0, Status.OK))) {
      ManagedChannel channel =
          Grpc.newChannelBuilder(s.target(), InsecureChannelCredentials.create()).build();
      try {
        TensorgateClient c =
            TensorgateClient.builder(channel).bearerToken("abcdefgh01234567").build();
        assertThat(c.isServerLive()).isTrue();
        c.close();
        assertThat(channel.isShutdown()).isFalse();
        assertThat(TensorgateClient.builder(channel).build().isServerLive()).isTrue();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void shouldShutItsOwnChannelDownWhenClosed() throws Exception {
    try (FakeServer s = new FakeServer(new Failing(0, Status.OK))) {
      TensorgateClient c = TensorgateClient.builder(s.target()).build();
      assertThat(c.isServerLive()).isTrue();
      c.close();
      assertThatThrownBy(c::isServerLive)
          .isInstanceOfSatisfying(
              InferenceServerException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }
}
