package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ModelStreamInfer: one answer per request; errors in error_message or, if asked, as a status. */
class StreamInferEndToEndTest {
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

  /** Sends the requests, half-closes, and collects what the server sends until it ends. */
  private static Outcome stream(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, List<ModelInferRequest> reqs)
      throws Exception {
    List<ModelStreamInferResponse> got = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<ModelInferRequest> out =
        stub.modelStreamInfer(
            new StreamObserver<>() {
              @Override
              public void onNext(ModelStreamInferResponse r) {
                got.add(r);
              }

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    reqs.forEach(out::onNext);
    out.onCompleted();
    return new Outcome(got, end.get(20, TimeUnit.SECONDS));
  }

  record Outcome(List<ModelStreamInferResponse> responses, Status status) {}

  private static ModelInferRequest bad(String id) {
    return Requests.simple(1).toBuilder().setId(id).setModelVersion("7").build();
  }

  @Test
  void shouldAnswerEveryRequestOnTheStream() throws Exception {
    List<ModelInferRequest> reqs = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      reqs.add(Requests.simple(1).toBuilder().setId("r" + i).build());
    }
    Outcome o = stream(server.async(), reqs);
    assertThat(o.status().isOk()).isTrue();
    assertThat(o.responses()).hasSize(20);
    assertThat(o.responses())
        .extracting(r -> r.getInferResponse().getId())
        .containsExactlyInAnyOrder(
            reqs.stream().map(ModelInferRequest::getId).toArray(String[]::new));
    assertThat(o.responses()).allSatisfy(r -> assertThat(r.getErrorMessage()).isEmpty());
  }

  @Test
  void shouldPutErrorsInErrorMessageAndKeepStreamOpen() throws Exception {
    Outcome o =
        stream(
            server.async(), List.of(bad("x"), Requests.simple(1).toBuilder().setId("ok").build()));
    assertThat(o.status().isOk()).isTrue();
    assertThat(o.responses()).hasSize(2);
    assertThat(o.responses())
        .anySatisfy(
            r ->
                assertThat(r.getErrorMessage())
                    .isEqualTo("Request for unknown model: 'simple' version 7 is not found"));
    assertThat(o.responses())
        .anySatisfy(r -> assertThat(r.getInferResponse().getId()).isEqualTo("ok"));
  }

  @Test
  void shouldEchoTheRequestIdWhenAnsweringAnErrorOnTheStream() throws Exception {
    // As Triton does: with several requests in flight, the id is how a client knows which failed.
    Outcome o = stream(server.async(), List.of(bad("x1"), bad("x2")));
    assertThat(o.responses())
        .extracting(r -> r.getInferResponse().getId())
        .containsExactlyInAnyOrder("x1", "x2");
    assertThat(o.responses()).allSatisfy(r -> assertThat(r.getErrorMessage()).isNotEmpty());
  }

  @Test
  void shouldEndStreamWithStatusWhenClientAsksForGrpcErrors() throws Exception {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("triton_grpc_error", Metadata.ASCII_STRING_MARSHALLER), "true");
    GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub =
        server.async().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    Outcome o = stream(stub, List.of(bad("x")));
    assertThat(o.status().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(o.status().getDescription()).contains("version 7 is not found");
    assertThat(o.responses()).isEmpty();
  }
}
