package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferResult;
import io.tensorgate.client.InferStream;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams and cancellation against a real Tensorgate: many answers per call, dropped requests. */
class StreamAndCancellationEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    GateBackend.close("client-cancel");
    GateBackend.close("client-deadline");
    new TestRepository(repo)
        .withSampleModel("simple")
        .withGateModel("gated", "client-cancel", "instance_group [{ count: 1 kind: KIND_CPU }]\n")
        .withGateModel("slow", "client-deadline", "");
    server = RunningServer.start(repo);
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    GateBackend.open("client-cancel");
    GateBackend.open("client-deadline");
    client.close();
    server.close();
  }

  private static InferRequest simple(int base, String version) {
    int[] a = IntStream.range(base, base + 16).toArray();
    return InferRequest.builder("simple")
        .version(version)
        .input(InferInput.of("INPUT0", a, 1, 16))
        .input(InferInput.of("INPUT1", new int[16], 1, 16))
        .build();
  }

  private static InferRequest gated(int value) {
    int[] v = new int[16];
    v[0] = value;
    return InferRequest.builder("gated").input(InferInput.of("INPUT0", v, 1, 16)).build();
  }

  private static LoadedVersion gatedVersion() {
    return server.server.repository().registry().get("gated").ready().values().iterator().next();
  }

  @Test
  void shouldAnswerEachRequestThroughItsOwnFutureWhenStreaming() throws Exception {
    List<CompletableFuture<InferResult>> answers = new ArrayList<>();
    try (InferStream stream = client.openStream()) {
      for (int i = 0; i < 50; i++) {
        answers.add(stream.send(simple(i, "")));
      }
    }
    for (int i = 0; i < 50; i++) {
      assertThat(answers.get(i).get(20, TimeUnit.SECONDS).output("OUTPUT0").asInts()[0])
          .isEqualTo(i);
    }
  }

  @Test
  void shouldFailOnlyTheBadRequestWhenAStreamedRequestIsRefused() throws Exception {
    CompletableFuture<InferResult> bad;
    CompletableFuture<InferResult> good;
    InferStream stream = client.openStream();
    try {
      bad = stream.send(simple(0, "7"));
      good = stream.send(simple(5, ""));
    } finally {
      stream.close();
    }
    assertThat(good.get(20, TimeUnit.SECONDS).output("OUTPUT0").asInts()[0]).isEqualTo(5);
    assertThat(bad)
        .failsWithin(20, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            InferenceServerException.class,
            e -> assertThat(e.serverMessage()).contains("version 7 is not found"));
    stream.completion().get(20, TimeUnit.SECONDS);
  }

  @Test
  void shouldDropAQueuedRequestOnTheServerWhenItsFutureIsCancelled() throws Exception {
    int before = GateBackend.executions("client-cancel");
    CompletableFuture<InferResult> running = client.inferAsync(gated(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> GateBackend.waiting("client-cancel") == 1);
    CompletableFuture<InferResult> queued = client.inferAsync(gated(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> gatedVersion().inFlight() == 2);

    assertThat(queued.cancel(true)).isTrue();
    // Once the server has seen the cancellation, only the running call is open.
    await().atMost(Duration.ofSeconds(10)).until(() -> server.server.openCalls().unary() == 1);
    GateBackend.open("client-cancel");

    assertThat(running.get(20, TimeUnit.SECONDS).output("OUTPUT0").asInts()[0]).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> gatedVersion().inFlight() == 0);
    assertThat(GateBackend.executions("client-cancel")).isEqualTo(before + 1);
  }

  @Test
  void shouldFailWithDeadlineExceededWhenTheServerCannotAnswerInTime() {
    InferRequest slow =
        InferRequest.builder("slow")
            .input(InferInput.of("INPUT0", new int[16], 1, 16))
            .deadline(Duration.ofMillis(300))
            .build();
    try {
      client.infer(slow);
      throw new AssertionError("answered through a closed gate");
    } catch (InferenceServerException e) {
      assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
  }
}
