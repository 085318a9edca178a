package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second, independent client proves the wire format: Debian's python3-grpcio with stubs generated
 * from this project's .proto files runs health, metadata and inference on {@code simple}, and BYTES
 * with NUL bytes through {@code simple_identity} ({@code scripts/triton_wire_check.py}).
 */
class PythonWireClientTest {
  @TempDir Path repo;

  @Test
  void shouldPassEveryCheckOfThePythonClient() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_identity");
    try (RunningServer s = RunningServer.start(repo)) {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  TestRepository.PROJECT.resolve("scripts/triton_wire_check.py").toString(),
                  "--url",
                  "127.0.0.1:" + s.server.port())
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("9/9 checks passed");
    }
  }
}
