package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl commands for HTTP/REST (the first {@code sh} block under "### HTTP/REST") run
 * as written against a server on a free port: every one succeeds (curl fails on an HTTP error here)
 * and answers what the README promises.
 */
class HttpReadmeCommandsTest {
  @TempDir Path repo;
  @TempDir Path dir;

  static String readmeBlock() throws Exception {
    String readme = Files.readString(TestRepository.PROJECT.resolve("README.md"));
    int section = readme.indexOf("### HTTP/REST");
    assertThat(section).as("README has a '### HTTP/REST' section").isPositive();
    int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
    int end = readme.indexOf("```", start);
    return readme.substring(start, end);
  }

  @Test
  void shouldRunTheReadmesCurlCommandsAsWritten() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (HttpCalls http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo))) {
      String block = readmeBlock();
      assertThat(block).contains("127.0.0.1:8000");
      Path script = dir.resolve("readme.sh");
      Files.writeString(
          script,
          "set -euo pipefail\n"
              + "curl() { command curl --fail-with-body --max-time 30 \"$@\"; }\n"
              + block.replace("127.0.0.1:8000", "127.0.0.1:" + http.port()));
      Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out)
          .startsWith("200")
          .contains("\"name\":\"simple\"", "\"platform\":\"onnxruntime_onnx\"")
          .contains("\"data\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]")
          .contains("\"name\":\"OUTPUT0\",\"datatype\":\"INT32\",\"shape\":[1,16],\"data\":[0,0,0")
          .contains("\"model_stats\"", "\"state\":\"READY\"", "\"routing\"")
          .doesNotContain("\"error\"");
    }
  }
}
