package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.http.HttpOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP is served over TLS with the gRPC port's certificate and key when {@code --grpc-use-ssl} is
 * on, and requires client certificates under mutual TLS: no plaintext side door. Checked with curl.
 */
class HttpTlsEndToEndTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static RunningServer tls;
  static RunningServer mutual;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    tls =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(dir)
                .http(new HttpOptions().port(0))
                .security(new SecurityOptions().tls(certs.serverCert, certs.serverKey)));
    mutual =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(dir)
                .http(new HttpOptions().port(0))
                .security(
                    new SecurityOptions()
                        .tls(certs.serverCert, certs.serverKey)
                        .mutualTls(certs.caCert)));
  }

  @AfterAll
  static void stop() throws Exception {
    tls.close();
    mutual.close();
  }

  /** curl's HTTP status for GET {@code url}, or "000" when no answer came (refused handshake). */
  private static String curl(String url, String... options) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"));
    cmd.addAll(List.of("--max-time", "10"));
    cmd.addAll(List.of(options));
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  private static String https(RunningServer s) {
    return "https://localhost:" + s.server.httpPort() + "/v2/health/live";
  }

  @Test
  void shouldServeHttpsWithTheGrpcCertificateWhenTlsIsOn() throws Exception {
    assertThat(curl(https(tls), "--cacert", certs.caCert.toString())).isEqualTo("200");
  }

  @Test
  void shouldNotAnswerPlaintextWhenTlsIsOn() throws Exception {
    assertThat(curl("http://localhost:" + tls.server.httpPort() + "/v2/health/live"))
        .isNotEqualTo("200");
  }

  @Test
  void shouldRefuseAClientWithoutCertificateWhenTlsIsMutual() throws Exception {
    assertThat(curl(https(mutual), "--cacert", certs.caCert.toString())).isEqualTo("000");
  }

  @Test
  void shouldRefuseAClientCertificateOfAnotherAuthority() throws Exception {
    assertThat(
            curl(
                https(mutual),
                "--cacert",
                certs.caCert.toString(),
                "--cert",
                certs.rogueCert.toString(),
                "--key",
                certs.rogueKey.toString()))
        .isEqualTo("000");
  }

  @Test
  void shouldServeAClientWithTheRightCertificateWhenTlsIsMutual() throws Exception {
    assertThat(
            curl(
                https(mutual),
                "--cacert",
                certs.caCert.toString(),
                "--cert",
                certs.clientCert.toString(),
                "--key",
                certs.clientKey.toString()))
        .isEqualTo("200");
  }
}
