package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS on the gRPC port, with certificates made by openssl for this test. */
class TlsEndToEndTest {
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
                .security(new SecurityOptions().tls(certs.serverCert, certs.serverKey)));
    mutual =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(dir)
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

  private static boolean live(ManagedChannel channel) throws InterruptedException {
    try {
      return GRPCInferenceServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .serverLive(ServerLiveRequest.getDefaultInstance())
          .getLive();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ManagedChannel tlsChannel(RunningServer s, Path cert, Path key) throws Exception {
    SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(certs.caCert.toFile());
    if (cert != null) {
      ssl.keyManager(cert.toFile(), key.toFile());
    }
    return NettyChannelBuilder.forAddress("localhost", s.server.port())
        .sslContext(ssl.build())
        .build();
  }

  private static void assertRefused(ManagedChannel channel) {
    assertThatThrownBy(() -> live(channel))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void shouldAnswerTlsClientWhenSslEnabled() throws Exception {
    assertThat(live(tlsChannel(tls, null, null))).isTrue();
  }

  @Test
  void shouldRefusePlaintextClientWhenSslEnabled() {
    assertRefused(
        NettyChannelBuilder.forAddress("localhost", tls.server.port()).usePlaintext().build());
  }

  @Test
  void shouldRefuseClientThatDoesNotTrustTheServerCertificate() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("localhost", tls.server.port())
            .sslContext(GrpcSslContexts.forClient().trustManager(certs.rogueCert.toFile()).build())
            .build();
    assertRefused(channel);
  }

  @Test
  void shouldAnswerClientWithCertificateWhenMutual() throws Exception {
    assertThat(live(tlsChannel(mutual, certs.clientCert, certs.clientKey))).isTrue();
  }

  @Test
  void shouldRefuseClientWithoutCertificateWhenMutual() throws Exception {
    assertRefused(tlsChannel(mutual, null, null));
  }

  @Test
  void shouldRefuseClientWithCertificateFromAnotherCaWhenMutual() throws Exception {
    assertRefused(tlsChannel(mutual, certs.rogueCert, certs.rogueKey));
  }

  @Test
  void shouldRefuseToStartWhenSslHasNoKey() {
    SecurityOptions o = new SecurityOptions().tls(certs.serverCert, null);
    assertThatThrownBy(
            () ->
                TensorgateServer.builder()
                    .modelRepository(dir)
                    .security(o)
                    .grpcPort(0)
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--grpc-server-key");
  }

  @Test
  void shouldRefuseToStartWhenMutualHasNoRootCertificate() {
    SecurityOptions o =
        new SecurityOptions().tls(certs.serverCert, certs.serverKey).mutualTls(null);
    assertThatThrownBy(
            () ->
                TensorgateServer.builder()
                    .modelRepository(dir)
                    .security(o)
                    .grpcPort(0)
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--grpc-root-cert");
  }

  @Test
  void shouldRefuseToStartWhenKeyDoesNotBelongToTheCertificate() {
    SecurityOptions o = new SecurityOptions().tls(certs.serverCert, certs.rogueKey);
    assertThatThrownBy(
            () ->
                TensorgateServer.builder()
                    .modelRepository(dir)
                    .security(o)
                    .grpcPort(0)
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the private key in --grpc-server-key "
                + certs.rogueKey
                + " does not belong to the certificate in --grpc-server-cert "
                + certs.serverCert);
  }

  @Test
  void shouldExitWithOneLineWhenKeyDoesNotBelongToTheCertificate() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path out = dir.resolve("mismatch.out");
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx128m",
                "-cp",
                classPath,
                "io.tensorgate.server.Main",
                "--model-repository",
                dir.toString(),
                "--grpc-port",
                "0",
                "--metrics-port",
                "0",
                "--grpc-use-ssl",
                "--grpc-server-cert",
                certs.serverCert.toString(),
                "--grpc-server-key",
                certs.clientKey.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "the server started with a mismatched key: " + Files.readString(out));
    }
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readAllLines(out))
        .singleElement(as(InstanceOfAssertFactories.STRING))
        .contains("tensorgate failed to start: the private key in --grpc-server-key")
        .contains("does not belong to the certificate");
  }
}
