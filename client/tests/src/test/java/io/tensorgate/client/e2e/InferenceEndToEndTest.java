package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferResult;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's inference calls against a real Tensorgate on the sample models. */
class InferenceEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo)
        .withSampleModel("simple")
        .withSampleModel("simple_string")
        .withSampleModel("sequence_accumulator");
    server = RunningServer.start(repo);
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  private static int[] range(int from) {
    return IntStream.range(from, from + 16).toArray();
  }

  private static InferRequest simple(int[] a, int[] b) {
    return InferRequest.builder("simple")
        .input(InferInput.of("INPUT0", a, 1, 16))
        .input(InferInput.of("INPUT1", b, 1, 16))
        .build();
  }

  @Test
  void shouldAddAndSubtractWhenInferringBlocking() {
    InferResult r = client.infer(simple(range(0), range(100)));
    assertThat(r.modelName()).isEqualTo("simple");
    assertThat(r.modelVersion()).isEqualTo("1");
    assertThat(r.output("OUTPUT0").shape()).containsExactly(1, 16);
    assertThat(r.output("OUTPUT0").asInts())
        .isEqualTo(IntStream.range(0, 16).map(i -> 100 + 2 * i).toArray());
    assertThat(r.output("OUTPUT1").asInts()).containsOnly(-100);
  }

  @Test
  void shouldAnswerTheFutureWhenInferringAsync() throws Exception {
    InferResult r = client.inferAsync(simple(range(1), range(1))).get(20, TimeUnit.SECONDS);
    assertThat(r.output("OUTPUT0").asInts()[15]).isEqualTo(32);
  }

  @Test
  void shouldAnswerOnlyTheNamedOutputWhenOneIsRequested() {
    InferRequest r =
        InferRequest.builder("simple")
            .input(InferInput.of("INPUT0", range(0), 1, 16))
            .input(InferInput.of("INPUT1", range(0), 1, 16))
            .output("OUTPUT1")
            .build();
    assertThat(client.infer(r).outputs()).extracting(o -> o.name()).containsExactly("OUTPUT1");
  }

  @Test
  void shouldEchoTheIdWhenTheRequestSetsOne() {
    InferRequest r =
        InferRequest.builder("simple")
            .id("request-42")
            .input(InferInput.of("INPUT0", range(0), 1, 16))
            .input(InferInput.of("INPUT1", range(0), 1, 16))
            .build();
    assertThat(client.infer(r).id()).isEqualTo("request-42");
  }

  @Test
  void shouldCarryTritonsStatusAndMessageWhenTheShapeIsWrong() {
    InferRequest r =
        InferRequest.builder("simple")
            .input(InferInput.of("INPUT0", new int[15], 1, 15))
            .input(InferInput.of("INPUT1", new int[15], 1, 15))
            .build();
    assertThatThrownBy(() -> client.infer(r))
        .isInstanceOfSatisfying(
            InferenceServerException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.serverMessage())
                  .contains(
                      "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16],"
                          + " got [1,15]");
            });
  }

  @Test
  void shouldFailTheFutureWithTheSameExceptionWhenAsyncInferenceFails() {
    CompletableFuture<InferResult> f =
        client.inferAsync(InferRequest.builder("no_such_model").build());
    assertThat(f)
        .failsWithin(20, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOfSatisfying(
            InferenceServerException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void shouldRoundTripDecimalStringsWhenTheModelTakesBytes() {
    String[] a = IntStream.range(0, 16).mapToObj(Integer::toString).toArray(String[]::new);
    String[] b = IntStream.range(0, 16).mapToObj(i -> "1").toArray(String[]::new);
    InferResult r =
        client.infer(
            InferRequest.builder("simple_string")
                .input(InferInput.of("INPUT0", a, 1, 16))
                .input(InferInput.of("INPUT1", b, 1, 16))
                .build());
    assertThat(r.output("OUTPUT0").asStrings()[15]).isEqualTo("16");
    assertThat(r.output("OUTPUT1").asStrings()[0]).isEqualTo("-1");
  }

  @Test
  void shouldCarryStateAcrossTheSequenceWhenSequenceParametersAreSet() {
    int[] inputs = {0, 11, 7, 5};
    int[] sums = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      InferRequest r =
          InferRequest.builder("sequence_accumulator")
              .input(InferInput.of("INPUT", new int[] {inputs[i]}, 1, 1))
              .sequence(1001, i == 0, i == inputs.length - 1)
              .build();
      sums[i] = client.infer(r).output("OUTPUT").asInts()[0];
    }
    assertThat(sums).containsExactly(0, 11, 18, 23);
  }

  @Test
  void shouldAcceptPriorityAndTimeoutWhenSchedulingOptionsAreSet() {
    InferRequest r =
        InferRequest.builder("simple")
            .input(InferInput.of("INPUT0", range(0), 1, 16))
            .input(InferInput.of("INPUT1", range(0), 1, 16))
            .priority(1)
            .timeout(java.time.Duration.ofSeconds(5))
            .routingKey("user-1")
            .build();
    assertThat(client.infer(r).output("OUTPUT0").asInts()[1]).isEqualTo(2);
  }

  @Test
  void shouldReportHealthAndMetadataWhenAsked() {
    assertThat(client.isServerLive()).isTrue();
    assertThat(client.isServerReady()).isTrue();
    assertThat(client.isModelReady("simple")).isTrue();
    assertThat(client.isModelReady("no_such_model")).isFalse();
    assertThat(client.serverMetadata().getExtensionsList()).contains("classification");
    assertThat(client.modelMetadata("simple").getInputs(0).getShapeList())
        .containsExactly(-1L, 16L);
    assertThat(client.modelConfig("simple").getMaxBatchSize()).isEqualTo(8);
  }
}
