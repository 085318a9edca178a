package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error messages name the model, tensor and rule, stay a few hundred bytes whatever the client
 * sent, and never show where the server keeps its files.
 */
class ErrorDisclosureEndToEndTest {
  private static final int MILLION = 1_000_000;

  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path bad = Files.createDirectories(repo.resolve("broken").resolve("1"));
    Files.writeString(
        bad.getParent().resolve("config.pbtxt"), "platform: \"onnxruntime_onnx\"\n{{{");
    server = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** simple's INPUT0 with a million dimensions of 1. */
  private static ModelInferRequest millionDimensions() {
    ModelInferRequest.Builder b = Requests.simple(1).toBuilder();
    b.getInputsBuilder(0).clearShape().addAllShape(Collections.nCopies(MILLION, 1L));
    return b.build();
  }

  private static StatusRuntimeException error(Runnable call) {
    StatusRuntimeException[] caught = new StatusRuntimeException[1];
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> caught[0] = e);
    return caught[0];
  }

  @Test
  void shouldAnswerAMillionDimensionShapeInAShortMessage() {
    StatusRuntimeException e = error(() -> server.blocking().modelInfer(millionDimensions()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    String message = e.getStatus().getDescription();
    assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
    assertThat(message)
        .startsWith(
            "[request id: <id_unknown>] unexpected shape for input 'INPUT0' for model"
                + " 'simple'. Expected [-1,16], got [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,... (1000000 dims)]");
  }

  @Test
  void shouldAnswerAHugeRequestIdInAShortMessage() {
    ModelInferRequest.Builder b = Requests.simple(1).toBuilder().setId("i".repeat(MILLION));
    b.getInputsBuilder(0).clearShape().addShape(1).addShape(15);
    String message =
        error(() -> server.blocking().modelInfer(b.build())).getStatus().getDescription();
    assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
    assertThat(message).contains("unexpected shape for input 'INPUT0' for model 'simple'");
  }

  @Test
  void shouldPutAShortMessageInTheStreamsErrorMessage() throws Exception {
    CompletableFuture<ModelStreamInferResponse> first = new CompletableFuture<>();
    StreamObserver<ModelInferRequest> requests =
        server
            .async()
            .modelStreamInfer(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ModelStreamInferResponse r) {
                    first.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    first.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(millionDimensions());
    String message = first.get(30, TimeUnit.SECONDS).getErrorMessage();
    requests.onCompleted();
    assertThat(message).contains("unexpected shape for input 'INPUT0' for model 'simple'");
    assertThat(message.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
  }

  @Test
  void shouldNotShowTheRepositoryPathWhenAModelFailsToLoad() throws Exception {
    StatusRuntimeException e =
        error(
            () ->
                server
                    .blocking()
                    .repositoryModelLoad(
                        RepositoryModelLoadRequest.newBuilder().setModelName("broken").build()));
    assertThat(e.getStatus().getDescription())
        .contains("'broken'")
        .doesNotContain(repo.toString())
        .doesNotContain(repo.toRealPath().toString());
  }
}
