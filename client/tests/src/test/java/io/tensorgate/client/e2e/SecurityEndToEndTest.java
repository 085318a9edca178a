package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.client.TensorgateClientBuilder;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.security.SecurityOptions;
import io.tensorgate.server.security.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS, mutual TLS and bearer tokens, as the client's builder sets them, against real servers. */
class SecurityEndToEndTest {
  static final String INFER_TOKEN = "infer-0123456789abcdef";
  static final String ADMIN_TOKEN = "admin-0123456789abcdef";

  @TempDir static Path dir;
  static TestCerts certs;
  static RunningServer tls;
  static RunningServer mutual;
  static RunningServer tokens;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    Path repo = Files.createDirectories(dir.resolve("repo"));
    new TestRepository(repo).withSampleModel("simple");
    tls =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(new SecurityOptions().tls(certs.serverCert, certs.serverKey)));
    mutual =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(
                    new SecurityOptions()
                        .tls(certs.serverCert, certs.serverKey)
                        .mutualTls(certs.caCert)));
    Path tokenFile = dir.resolve("tokens");
    Files.writeString(
        tokenFile,
        "admin,model-repository: "
            + ADMIN_TOKEN
            + "\ninference,metadata,health: "
            + INFER_TOKEN
            + "\n");
    tokens =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .security(new SecurityOptions().authTokenFile(tokenFile)));
  }

  @AfterAll
  static void stop() throws Exception {
    tls.close();
    mutual.close();
    tokens.close();
  }

  private static TensorgateClientBuilder to(RunningServer s) {
    return TensorgateClient.builder("localhost:" + s.server.port());
  }

  private static void expect(
      TensorgateClientBuilder b, Consumer<TensorgateClient> call, Status.Code code) {
    try (TensorgateClient c = b.build()) {
      assertThatThrownBy(() -> call.accept(c))
          .isInstanceOfSatisfying(
              InferenceServerException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
  }

  private static boolean live(TensorgateClientBuilder b) {
    try (TensorgateClient c = b.build()) {
      return c.isServerLive();
    }
  }

  @Test
  void shouldConnectOverTlsWhenTrustingTheServersCa() {
    assertThat(live(to(tls).tls(certs.caCert))).isTrue();
  }

  @Test
  void shouldFailUnavailableWhenTheServerCertificateIsNotTrusted() {
    expect(to(tls).tls(certs.rogueCert), TensorgateClient::isServerLive, Status.Code.UNAVAILABLE);
  }

  @Test
  void shouldFailUnavailableWhenPlaintextMeetsATlsServer() {
    expect(to(tls), TensorgateClient::isServerLive, Status.Code.UNAVAILABLE);
  }

  @Test
  void shouldConnectWithAClientCertificateWhenTheServerWantsOne() {
    assertThat(
            live(to(mutual).tls(certs.caCert).clientCertificate(certs.clientCert, certs.clientKey)))
        .isTrue();
  }

  @Test
  void shouldBeRefusedWithoutAClientCertificateWhenTheServerWantsOne() {
    expect(to(mutual).tls(certs.caCert), TensorgateClient::isServerLive, Status.Code.UNAVAILABLE);
  }

  @Test
  void shouldBeAnsweredWhenTheBearerTokenIsRight() {
    assertThat(live(to(tokens).bearerToken(INFER_TOKEN))).isTrue();
  }

  @Test
  void shouldBeRefusedUnauthenticatedWhenTheTokenIsMissingOrWrong() {
    expect(to(tokens), TensorgateClient::isServerLive, Status.Code.UNAUTHENTICATED);
    expect(
        to(tokens).bearerToken("wrong-0123456789abcdef"),
        TensorgateClient::isServerLive,
        Status.Code.UNAUTHENTICATED);
  }

  @Test
  void shouldReachTheAdminApiOnlyWhenTheTokenIsAnAdminOne() {
    expect(
        to(tokens).bearerToken(INFER_TOKEN),
        c -> c.routing().get("simple"),
        Status.Code.UNAUTHENTICATED);
    try (TensorgateClient c = to(tokens).bearerToken(ADMIN_TOKEN).build()) {
      assertThat(c.routing().get("simple").getModelName()).isEqualTo("simple");
    }
  }
}
