package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.security.SecurityOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State changes made over HTTP reach the audit trail as the same gRPC calls do. */
class HttpAuditEndToEndTest {
  private static final String TOKEN = "op-token-0123456789abcdef";

  @TempDir Path dir;

  @Test
  void shouldAuditAModelUnloadMadeOverHttpWithTheCallersRule() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    new TestRepository(repo).withFaultModel("m", "");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "operators=admin,model-repository: " + TOKEN + "\n");
    Path auditLog = dir.resolve("audit.jsonl");
    try (HttpCalls http =
        HttpCalls.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .controlMode(ControlMode.EXPLICIT)
                .loadModels(List.of("m"))
                .security(new SecurityOptions().authTokenFile(tokens))
                .governance(new GovernanceOptions().auditLog(auditLog)))) {

      HttpCalls.Answer a =
          http.post("/v2/repository/models/m/unload", "{}", "authorization", "Bearer " + TOKEN);

      assertThat(a.status()).as(a.text()).isEqualTo(200);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Files.exists(auditLog)
                      && Files.readString(auditLog).contains("RepositoryModelUnload"));
      String line =
          Files.readAllLines(auditLog).stream()
              .filter(l -> l.contains("RepositoryModelUnload"))
              .findFirst()
              .orElseThrow();
      assertThat(line).contains("\"operators\"").contains("\"m\"").doesNotContain(TOKEN);
    }
  }
}
