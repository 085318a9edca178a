package io.tensorgate.server.security;

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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
}
