package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Triton's gRPC transport flags: client shared memory, compression, handler threads. */
class GrpcTransportEndToEndTest {
  private static final Metadata.Key<String> ENCODING =
      Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path repo;

  private TensorgateServerBuilder builder() {
    new TestRepository(repo).withSampleModel("simple");
    return TensorgateServer.builder().modelRepository(repo);
  }

  @Test
  void shouldRefuseSharedMemoryRegistrationWithTritonsWordsWhenClientShmIsDisallowed()
      throws Exception {
    try (RunningServer s = RunningServer.start(builder().allowClientSharedMemory(false))) {
      for (Runnable call :
          new Runnable[] {
            () ->
                s.blocking()
                    .systemSharedMemoryRegister(
                        SystemSharedMemoryRegisterRequest.newBuilder()
                            .setName("r")
                            .setKey("/k")
                            .setByteSize(64)
                            .build()),
            () ->
                s.blocking()
                    .systemSharedMemoryUnregister(
                        SystemSharedMemoryUnregisterRequest.getDefaultInstance())
          }) {
        assertThatThrownBy(call::run)
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo(
                          "Client shared memory is disabled. Start the server with"
                              + " '--allow-client-shm=true' to enable.");
                });
      }
      assertThat(
              s.blocking()
                  .systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())
                  .getRegionsMap())
          .isEmpty();
    }
  }

  @Test
  void shouldGzipInferResponsesWhenACompressionLevelIsSet() throws Exception {
    try (RunningServer s =
        RunningServer.start(
            builder().transport(new GrpcTransportOptions().responseCompression("high")))) {
      AtomicReference<String> encoding = new AtomicReference<>();
      var stub = s.blocking().withInterceptors(responseHeader(encoding));

      stub.modelInfer(Requests.simple(1));
      assertThat(encoding.get()).isEqualTo("gzip");

      encoding.set(null);
      stub.serverLive(ServerLiveRequest.getDefaultInstance());
      assertThat(encoding.get()).as("only inference responses").isNotEqualTo("gzip");
    }
  }

  @Test
  void shouldSendUncompressedInferResponsesByDefault() throws Exception {
    try (RunningServer s = RunningServer.start(builder())) {
      AtomicReference<String> encoding = new AtomicReference<>();

      s.blocking().withInterceptors(responseHeader(encoding)).modelInfer(Requests.simple(1));

      assertThat(encoding.get()).isNotEqualTo("gzip");
    }
  }

  @Test
  void shouldHandleCallsOnItsOwnThreadsAndStopThemAtShutdown() throws Exception {
    RunningServer s =
        RunningServer.start(builder().transport(new GrpcTransportOptions().handlerThreads(2)));
    try {
      s.blocking().modelInfer(Requests.simple(1));
      assertThat(handlerThreads()).isPositive();
    } finally {
      s.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> handlerThreads() == 0);
  }

  @Test
  void shouldLetTwoServersListenOnOnePortWhenBothReuseIt() throws Exception {
    try (RunningServer first =
        RunningServer.start(builder().transport(new GrpcTransportOptions().reusePort(true)))) {
      TensorgateServer second =
          TensorgateServer.builder()
              .modelRepository(repo)
              .grpcPort(first.server.port())
              .metricsPort(0)
              .transport(new GrpcTransportOptions().reusePort(true))
              .build()
              .start();
      try {
        assertThat(second.port()).isEqualTo(first.server.port());
      } finally {
        second.shutdown();
      }
    }
  }

  @Test
  void shouldRefuseAHandlerThreadCountOutsideTritonsRange() {
    assertThatThrownBy(
            () ->
                RunningServer.start(
                    builder().transport(new GrpcTransportOptions().handlerThreads(129))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--grpc-infer-thread-count must be in the range 2 to 128, got 129");
  }

  private static long handlerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("tensorgate-grpc-worker"))
        .count();
  }

  /** Records the response header {@code grpc-encoding} of each call. */
  private static ClientInterceptor responseHeader(AtomicReference<String> encoding) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onHeaders(Metadata h) {
                    encoding.set(h.get(ENCODING));
                    super.onHeaders(h);
                  }
                },
                headers);
          }
        };
      }
    };
  }
}
