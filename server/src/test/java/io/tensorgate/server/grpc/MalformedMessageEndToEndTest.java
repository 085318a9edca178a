package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthGrpc;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.server.CorruptGzip;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request message that does not parse is answered INVALID_ARGUMENT with a short reason, on every
 * RPC (unary and the stream), never UNKNOWN "Application error processing RPC".
 */
class MalformedMessageEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static void assertMalformed(StatusRuntimeException e, MethodDescriptor<?, ?> m) {
    assertThat(e.getStatus().getCode())
        .as(m.getFullMethodName())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("malformed " + m.getBareMethodName() + " request: truncated message");
  }

  @Test
  void shouldAnswerInvalidArgumentWhenAnyUnaryInferenceRpcGetsMalformedMessage() {
    int checked = 0;
    for (MethodDescriptor<?, ?> m : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
      if (m.getType() == MethodType.UNARY) {
        assertMalformed(RawCalls.callExpectingError(server.channel, m, RawCalls.MALFORMED), m);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(19);
  }

  @Test
  void shouldAnswerInvalidArgumentWhenAdminOrHealthRpcGetsMalformedMessage() {
    MethodDescriptor<?, ?> setCanary = RoutingServiceGrpc.getSetCanaryMethod();
    assertMalformed(
        RawCalls.callExpectingError(server.channel, setCanary, RawCalls.MALFORMED), setCanary);
    MethodDescriptor<?, ?> check = HealthGrpc.getCheckMethod();
    assertMalformed(RawCalls.callExpectingError(server.channel, check, RawCalls.MALFORMED), check);
  }

  @Test
  void shouldEndStreamWithInvalidArgumentAfterAnsweringEarlierRequests() throws Exception {
    MethodDescriptor<byte[], byte[]> method =
        RawCalls.raw(GRPCInferenceServiceGrpc.getModelStreamInferMethod());
    ClientCall<byte[], byte[]> call = server.channel.newCall(method, CallOptions.DEFAULT);
    LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            answers.add(message);
            call.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.sendMessage(Requests.simple(1).toByteArray());
    byte[] first = answers.poll(30, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    assertThat(ModelStreamInferResponse.parseFrom(first).getErrorMessage()).isEmpty();
    call.sendMessage(RawCalls.MALFORMED);
    Status status = closed.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo("malformed ModelStreamInfer request: truncated message");
  }

  @Test
  void shouldServeWellFormedRequestsOnTheSameChannelAfterMalformedOnes() {
    MethodDescriptor<?, ?> infer = GRPCInferenceServiceGrpc.getModelInferMethod();
    for (int i = 0; i < 20; i++) {
      RawCalls.callExpectingError(server.channel, infer, RawCalls.MALFORMED);
    }
    assertThat(server.blocking().modelInfer(Requests.simple(1)).getOutputsCount()).isEqualTo(2);
  }

  private static StatusRuntimeException metadataThrough(ManagedChannel channel) {
    try {
      return assertThrows(
          StatusRuntimeException.class,
          () ->
              GRPCInferenceServiceGrpc.newBlockingStub(channel)
                  .withCompression("gzip")
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build()));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void shouldAnswerInvalidArgumentWhenAMessageMarkedGzipIsNotGzip() {
    StatusRuntimeException e = metadataThrough(CorruptGzip.notGzip(server.server.port()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "malformed ModelMetadata request: the message is marked gzip-compressed but is not gzip");
  }

  @Test
  void shouldSayTheDataDoesNotInflateWhenAGzipMessageIsCorrupt() {
    StatusRuntimeException e = metadataThrough(CorruptGzip.corruptDeflate(server.server.port()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("malformed ModelMetadata request: compressed data that does not inflate");
  }

  @Test
  void shouldAnswerResourceExhaustedWhenAGzipMessageInflatesPastTheMaximumSize() throws Exception {
    try (RunningServer small =
        RunningServer.start(
            TensorgateServer.builder().modelRepository(repo).maxMessageBytes(1 << 20))) {
      // 2 MiB of zeros: a few KiB on the wire, twice the limit once inflated.
      ModelInferRequest bomb =
          Requests.simple(1).toBuilder()
              .clearRawInputContents()
              .addRawInputContents(ByteString.copyFrom(new byte[2 << 20]))
              .build();

      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> small.blocking().withCompression("gzip").modelInfer(bomb));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("ModelInfer request exceeds the maximum message size once decompressed");
    }
  }
}
