package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Matching a stream's answers to its requests, against a server that answers as scripted. */
class InferStreamTest {
  /** Collects two requests, then lets the script answer them. */
  private static final class Scripted
      extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    final BiConsumer<List<ModelInferRequest>, StreamObserver<ModelStreamInferResponse>> script;

    Scripted(BiConsumer<List<ModelInferRequest>, StreamObserver<ModelStreamInferResponse>> script) {
      this.script = script;
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(
        StreamObserver<ModelStreamInferResponse> out) {
      List<ModelInferRequest> received = new ArrayList<>();
      return new StreamObserver<>() {
        @Override
        public void onNext(ModelInferRequest r) {
          received.add(r);
          if (received.size() == 2) {
            script.accept(received, out);
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  private static ModelStreamInferResponse answer(ModelInferRequest r) {
    return ModelStreamInferResponse.newBuilder()
        .setInferResponse(
            ModelInferResponse.newBuilder().setId(r.getId()).setModelName(r.getModelName()))
        .build();
  }

  private static ModelStreamInferResponse error(String id, String message) {
    ModelStreamInferResponse.Builder b =
        ModelStreamInferResponse.newBuilder().setErrorMessage(message);
    if (id != null) {
      b.setInferResponse(ModelInferResponse.newBuilder().setId(id));
    }
    return b.build();
  }

  private static InferenceServerException failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (InferenceServerException) e.getCause();
    }
    throw new AssertionError("the future did not fail");
  }

  @Test
  void shouldMatchAnswersByIdWhenTheServerAnswersOutOfOrder() throws Exception {
    Scripted service =
        new Scripted(
            (reqs, out) -> {
              out.onNext(answer(reqs.get(1)));
              out.onNext(answer(reqs.get(0)));
            });
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build();
        InferStream stream = c.openStream()) {
      CompletableFuture<InferResult> a = stream.send(InferRequest.builder("a").build());
      CompletableFuture<InferResult> b = stream.send(InferRequest.builder("b").id("mine").build());
      assertThat(a.get(10, TimeUnit.SECONDS).modelName()).isEqualTo("a");
      assertThat(a.get().id()).isEmpty();
      assertThat(b.get(10, TimeUnit.SECONDS).modelName()).isEqualTo("b");
      assertThat(b.get().id()).isEqualTo("mine");
    }
  }

  @Test
  void shouldFailOnlyTheNamedRequestWhenAnErrorCarriesItsId() throws Exception {
    Scripted service =
        new Scripted(
            (reqs, out) -> {
              out.onNext(error(reqs.get(0).getId(), "unexpected shape"));
              out.onNext(answer(reqs.get(1)));
            });
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build();
        InferStream stream = c.openStream()) {
      CompletableFuture<InferResult> a = stream.send(InferRequest.builder("a").build());
      CompletableFuture<InferResult> b = stream.send(InferRequest.builder("b").build());
      InferenceServerException e = failure(a);
      assertThat(e.code()).isEqualTo(Status.Code.UNKNOWN);
      assertThat(e.serverMessage()).isEqualTo("unexpected shape");
      assertThat(b.get(10, TimeUnit.SECONDS).modelName()).isEqualTo("b");
    }
  }

  @Test
  void shouldFailEveryWaitingRequestWhenAnErrorNamesNoneOfSeveral() throws Exception {
    Scripted service = new Scripted((reqs, out) -> out.onNext(error(null, "something failed")));
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build();
        InferStream stream = c.openStream()) {
      CompletableFuture<InferResult> a = stream.send(InferRequest.builder("a").build());
      CompletableFuture<InferResult> b = stream.send(InferRequest.builder("b").build());
      assertThat(failure(a).serverMessage()).startsWith("something failed");
      assertThat(failure(b).serverMessage()).contains("the server named no request id");
    }
  }

  @Test
  void shouldRefuseAnIdWhenItIsStillWaitingOnTheStream() throws Exception {
    Scripted service = new Scripted((reqs, out) -> {});
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build();
        InferStream stream = c.openStream()) {
      stream.send(InferRequest.builder("a").id("same").build());
      assertThatThrownBy(() -> stream.send(InferRequest.builder("a").id("same").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("request id 'same' is still waiting for its answer on this stream");
    }
  }

  @Test
  void shouldFailWaitingRequestsWithCancelledWhenTheStreamIsCancelled() throws Exception {
    Scripted service = new Scripted((reqs, out) -> {});
    try (FakeServer s = new FakeServer(service);
        TensorgateClient c = TensorgateClient.builder(s.target()).build()) {
      InferStream stream = c.openStream();
      CompletableFuture<InferResult> a = stream.send(InferRequest.builder("a").build());
      stream.cancel();
      assertThat(failure(a).code()).isEqualTo(Status.Code.CANCELLED);
      assertThat(stream.send(InferRequest.builder("a").build()))
          .failsWithin(1, TimeUnit.SECONDS)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IllegalStateException.class);
    }
  }
}
