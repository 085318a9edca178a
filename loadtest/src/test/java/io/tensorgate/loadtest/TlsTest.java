package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ghz's TLS flags against an echo server with a certificate for localhost from a test CA. */
class TlsTest {

  private static final Path TLS = Path.of("src/test/resources/tls");

  @TempDir Path dir;
  private Server server;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .sslContext(
                GrpcSslContexts.forServer(
                        TLS.resolve("server.pem").toFile(), TLS.resolve("server.key").toFile())
                    .build())
            .addService(new EchoService(ModelSignature.simple(), new EchoSharedMemory(dir)))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private Cli ghz(String... flags) {
    String[] args = new String[flags.length + 5];
    System.arraycopy(flags, 0, args, 0, flags.length);
    args[flags.length] = "--model";
    args[flags.length + 1] = "simple";
    args[flags.length + 2] = "-n";
    args[flags.length + 3] = "20";
    args[flags.length + 4] = "localhost:" + server.getPort();
    return Cli.execute(ghzFormat(args));
  }

  private static String[] ghzFormat(String[] args) {
    String[] withJson = new String[args.length + 2];
    withJson[0] = "-O";
    withJson[1] = "json";
    System.arraycopy(args, 0, withJson, 2, args.length);
    return withJson;
  }

  @Test
  void shouldVerifyTheServerWithTheGivenRootsWhenCacertGiven() throws Exception {
    Cli cli = ghz("--cacert", TLS.resolve("ca.pem").toString());

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(cli.out());
    assertThat(report.get("statusCodeDistribution").get("OK").asLong()).isEqualTo(20);
    assertThat(report.get("options").get("insecure").asBoolean()).isFalse();
  }

  @Test
  void shouldRefuseAServerItCannotVerifyWhenNoRootsGiven() {
    Cli cli = ghz();

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("TLS handshake failed");
  }

  @Test
  void shouldRefuseACertificateForAnotherNameWhenCnameDiffers() {
    Cli cli = ghz("--cacert", TLS.resolve("ca.pem").toString(), "--cname", "other.example");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("TLS handshake failed");
  }

  @Test
  void shouldAcceptAnyCertificateWhenSkipTlsGiven() throws Exception {
    Cli cli = ghz("--skipTLS");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(
            new ObjectMapper().readTree(cli.out()).get("statusCodeDistribution").get("OK").asLong())
        .isEqualTo(20);
  }
}
