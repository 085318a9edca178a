package io.tensorgate.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.security.SecurityOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At the highest verbosity, where gRPC logs every HTTP/2 frame, no credential reaches the log: not
 * the bearer token, not a restricted-protocol header value, not a cookie, and not a token of the
 * token file sent in a header of any name.
 */
class LogRedactionEndToEndTest {
  static final String ADMIN_TOKEN = "admin-0123456789abcdef";
  static final String INFER_TOKEN = "infer-fedcba9876543210";
  static final String RESTRICTED_VALUE = "stats-value-secret";
  static final String COOKIE = "session-cookie-secret";

  @TempDir Path dir;

  private static GRPCInferenceServiceBlockingStub with(
      GRPCInferenceServiceBlockingStub stub, String... headers) {
    Metadata m = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      m.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  @Test
  void shouldWriteNoCredentialToTheLogAtVerboseLevelThree() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path tokens =
        Files.writeString(
            dir.resolve("tokens"),
            "admin,model-repository: " + ADMIN_TOKEN + "\ninference,metadata: " + INFER_TOKEN);
    Path log = dir.resolve("server.log");
    LogControl logs =
        new LogControl(new LogControl.Settings(log.toString(), true, true, true, 3, "default"));
    try (RunningServer s =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .logControl(logs)
                .security(
                    new SecurityOptions()
                        .authTokenFile(tokens)
                        .restrictedProtocol("statistics:stats-key=" + RESTRICTED_VALUE)))) {
      with(
              s.blocking(),
              "authorization",
              "Bearer " + ADMIN_TOKEN,
              "cookie",
              "id=" + COOKIE,
              "x-forwarded-token",
              INFER_TOKEN)
          .repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
      with(s.blocking(), "triton-grpc-protocol-stats-key", RESTRICTED_VALUE)
          .modelStatistics(ModelStatisticsRequest.getDefaultInstance());
      // The frame log shows each header, redacted: proof that the headers were logged at all.
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                String text = Files.readString(log);
                return text.contains("authorization: <redacted>")
                    && text.contains("triton-grpc-protocol-stats-key: <redacted>")
                    && text.contains("x-forwarded-token: <redacted>");
              });
    } finally {
      new LogControl(0);
    }
    assertThat(Files.readString(log))
        .contains("cookie: <redacted>")
        .doesNotContain(ADMIN_TOKEN)
        .doesNotContain(INFER_TOKEN)
        .doesNotContain(RESTRICTED_VALUE)
        .doesNotContain(COOKIE);
  }
}
