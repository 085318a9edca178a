package io.tensorgate.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The security flags parse with Triton's names and are checked together. */
class SecurityOptionsTest {
  private static SecurityOptions parse(String... args) {
    SecurityOptions o = new SecurityOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  @Test
  void shouldParseTritonsTlsAndRestrictedProtocolFlags() {
    SecurityOptions o =
        parse(
            "--grpc-use-ssl-mutual",
            "--grpc-server-cert=s.pem",
            "--grpc-server-key",
            "s.key",
            "--grpc-root-cert=ca.pem",
            "--grpc-restricted-protocol=model-repository,admin:admin-key=v",
            "--grpc-restricted-protocol=inference:k=v2");
    assertThat(o.usesTls()).isTrue();
    assertThat(o.serverCert).isEqualTo(Path.of("s.pem"));
    assertThat(o.rootCert).isEqualTo(Path.of("ca.pem"));
    assertThat(o.restrictedProtocols).hasSize(2);
    o.validate();
  }

  @Test
  void shouldDefaultToPlaintextAndBoundedLimits() {
    SecurityOptions o = parse();
    assertThat(o.usesTls()).isFalse();
    assertThat(o.maxMetadataBytes).isEqualTo(16384);
    assertThat(o.maxConcurrentStreams).isEqualTo(1000);
    assertThat(o.maxRstFrames).isEqualTo(200);
    assertThat(o.handshakeTimeoutMillis).isEqualTo(20_000);
    assertThat(o.minPingIntervalMillis).isEqualTo(300_000);
    assertThat(o.maxTensorElements).isEqualTo(1L << 28);
    assertThat(o.maxRequestedOutputs).isEqualTo(256);
    o.validate();
  }

  @Test
  void shouldRefuseSslWithoutCertificateAndKey() {
    assertThatThrownBy(() -> parse("--grpc-use-ssl").validate())
        .hasMessageContaining("--grpc-server-cert");
  }

  @Test
  void shouldRefuseLimitsThatAreNotPositive() {
    assertThatThrownBy(() -> parse("--max-requested-outputs=0").validate())
        .hasMessageContaining("--max-requested-outputs");
    assertThatThrownBy(() -> parse("--grpc-max-metadata-bytes=-1").validate())
        .hasMessageContaining("--grpc-max-metadata-bytes");
  }
}
