package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls of the five tritonclient gRPC examples that once failed against Tensorgate (health and
 * metadata, the two shared-memory clients, reuse_infer_objects, model control in explicit mode),
 * made by an independent Python client with the examples' expectations, twice on one server each
 * ({@code scripts/triton_examples_check.py}).
 */
class TritonExamplesPythonTest {
  @TempDir Path repo;
  @TempDir Path explicitRepo;

  private static void withAllSampleModels(Path root) throws IOException {
    TestRepository r = new TestRepository(root);
    try (Stream<Path> models = Files.list(TestRepository.PROJECT.resolve("models"))) {
      for (Path m : models.filter(Files::isDirectory).toList()) {
        r.withSampleModel(m.getFileName().toString());
      }
    }
  }

  @Test
  void shouldPassTheCallsOfTheTritonClientExamplesTwiceOnOneServer() throws Exception {
    withAllSampleModels(repo);
    withAllSampleModels(explicitRepo);
    try (RunningServer s = RunningServer.start(repo);
        RunningServer explicit =
            RunningServer.start(explicitRepo, ControlMode.EXPLICIT, List.of())) {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  TestRepository.PROJECT.resolve("scripts/triton_examples_check.py").toString(),
                  "--url",
                  "127.0.0.1:" + s.server.port(),
                  "--explicit-url",
                  "127.0.0.1:" + explicit.server.port())
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("10/10 checks passed");
    }
  }
}
