package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.output;
import static io.tensorgate.server.Requests.readInt32s;
import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code inline_execution} model parameter over a real Netty port. */
class InlineExecutionEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    withParameter("simple", "true");
    Path bad = repo.resolve("simple_bad");
    TestRepository.copyTree(repo.resolve("simple"), bad);
    Path config = bad.resolve("config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("name: \"simple\"", "name: \"simple_bad\"")
            .replace("\"true\"", "\"" + "sometimes".repeat(20) + "\""));
    server = RunningServer.start(repo);
  }

  private static void withParameter(String model, String value) throws Exception {
    Path config = repo.resolve(model).resolve("config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            + "parameters { key: \"inline_execution\" value: { string_value: \""
            + value
            + "\" } }\n");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void shouldAnswerEveryConcurrentRequestCorrectlyWhenInlineExecutionIsOn() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<int[]>> sums = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int batch = 1 + i % 4;
        ModelInferRequest request = Requests.simple(batch);
        sums.add(
            CompletableFuture.supplyAsync(
                () -> {
                  ModelInferResponse r = server.blocking().modelInfer(request);
                  return readInt32s(output(r, "OUTPUT0"));
                },
                callers));
      }
      for (int i = 0; i < sums.size(); i++) {
        int[] sum = sums.get(i).get(20, TimeUnit.SECONDS);
        assertThat(sum).hasSize(16 * (1 + i % 4));
        for (int k = 0; k < sum.length; k++) {
          assertThat(sum[k]).isEqualTo(k + 1);
        }
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void shouldRefuseToLoadTheModelWithAShortReasonWhenTheValueIsNotABoolean() {
    ModelIndex row =
        server
            .blocking()
            .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
            .getModelsList()
            .stream()
            .filter(m -> m.getName().equals("simple_bad"))
            .findFirst()
            .orElseThrow();

    assertThat(row.getState()).isEqualTo("UNAVAILABLE");
    assertThat(row.getReason())
        .contains("inline_execution must be true or false, got 'sometimessometimes")
        .hasSizeLessThan(200);
  }
}
