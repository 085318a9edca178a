package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-request limits: tensor elements, implied input bytes, requested outputs, header size; each
 * refused with a precise status while the server keeps serving. Limits are set low here so that the
 * sample model {@code simple} (INT32 [-1,16] twice, batches up to 8) crosses them.
 */
class RequestLimitsEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    server =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(
                    new SecurityOptions()
                        // batch 4 has 64 elements per input; batch 2 has 32.
                        .maxTensorElements(48)
                        // batch 2: 2 inputs x 32 x 4 bytes = 256.
                        .maxRequestTensorBytes(300)
                        .maxRequestedOutputs(4)
                        .maxMetadataBytes(4096)));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  @Test
  void shouldServeRequestsWithinTheLimits() {
    assertThat(server.blocking().modelInfer(Requests.simple(2)).getOutputsCount()).isEqualTo(2);
  }

  @Test
  void shouldRefuseTensorWithMoreElementsThanTheLimit() {
    assertInvalid(
        () -> server.blocking().modelInfer(Requests.simple(4)),
        "input 'INPUT0' for model 'simple' has 64 elements, more than the limit of 48");
  }

  @Test
  void shouldRefuseHugeShapeBeforeAnyAllocation() {
    // 2^62 elements with no data: refused from the shape alone.
    ModelInferRequest huge =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(Requests.input("INPUT0", "INT32", 1L << 31, 1L << 31))
            .build();
    assertInvalid(() -> server.blocking().modelInfer(huge), "(--max-tensor-elements)");
  }

  @Test
  void shouldRefuseShapeWhoseProductOverflowsBeforeAnyAllocation() {
    // [2^60, 16]: the right rank for [-1,16], a product past 2^63, and 64 bytes of data.
    ModelInferRequest overflow =
        Requests.simple(1).toBuilder()
            .setInputs(0, Requests.input("INPUT0", "INT32", 1L << 60, 16))
            .setInputs(1, Requests.input("INPUT1", "INT32", 1L << 60, 16))
            .build();
    assertInvalid(
        () -> server.blocking().modelInfer(overflow),
        "unexpected integer overflow while calculating element count for input 'INPUT0'");
  }

  @Test
  void shouldRefuseRequestWhoseInputsImplyMoreBytesThanTheLimit() {
    ModelInferRequest r = Requests.simple(2);
    ModelInferRequest wide =
        r.toBuilder().addInputs(Requests.input("INPUT2", "INT64", 2, 16)).build();
    assertInvalid(
        () -> server.blocking().modelInfer(wide),
        "take at least 512 bytes, more than the limit of 300 (--max-request-tensor-bytes)");
  }

  @Test
  void shouldRefuseMoreRequestedOutputsThanTheLimit() {
    ModelInferRequest.Builder r = Requests.simple(1).toBuilder();
    for (int i = 0; i < 5; i++) {
      r.addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"));
    }
    assertInvalid(
        () -> server.blocking().modelInfer(r.build()),
        "asks for 5 outputs, more than the limit of 4 (--max-requested-outputs)");
  }

  @Test
  void shouldRefuseTheSameOutputTwice() {
    ModelInferRequest.Builder r = Requests.simple(1).toBuilder();
    r.addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"));
    r.addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"));
    assertInvalid(
        () -> server.blocking().modelInfer(r.build()),
        "output 'OUTPUT0' already exists in request");
  }

  @Test
  void shouldEndStreamWithInvalidArgumentWhenAMessageBreaksALimit() throws Exception {
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<ModelInferRequest> out =
        server
            .async()
            .modelStreamInfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ModelStreamInferResponse r) {}

                  @Override
                  public void onError(Throwable t) {
                    end.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    end.complete(Status.OK);
                  }
                });
    out.onNext(Requests.simple(4));
    out.onCompleted();
    Status status = end.get(20, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("--max-tensor-elements");
  }

  @Test
  void shouldRefuseHeadersLargerThanTheMetadataLimitAndKeepServing() {
    Metadata big = new Metadata();
    big.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(6000));
    assertThatThrownBy(
            () ->
                server
                    .blocking()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big))
                    .serverLive(ServerLiveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
    Metadata small = new Metadata();
    small.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "x".repeat(1024));
    assertThat(
            server
                .blocking()
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(small))
                .serverLive(ServerLiveRequest.getDefaultInstance())
                .getLive())
        .isTrue();
  }
}
