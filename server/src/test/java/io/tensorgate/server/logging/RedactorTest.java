package io.tensorgate.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the log redaction removes, and what it leaves alone. */
class RedactorTest {
  private static final String TOKEN = "tok-0123456789abcdef==";
  private final Redactor redactor = Redactor.withSecrets(Set.of(TOKEN)::contains);

  @Test
  void shouldRedactCredentialHeadersInNettyFrameLogs() {
    String line =
        "INBOUND HEADERS: streamId=3 headers=GrpcHttp2RequestHeaders[:path: /x/Y, authorization:"
            + " Bearer abc.def, cookie: a=1; b=2, triton-grpc-protocol-k: v1, te: trailers]"
            + " padding=0";
    assertThat(redactor.redact(line))
        .isEqualTo(
            "INBOUND HEADERS: streamId=3 headers=GrpcHttp2RequestHeaders[:path: /x/Y,"
                + " authorization: <redacted>, cookie: <redacted>, triton-grpc-protocol-k:"
                + " <redacted>, te: trailers] padding=0");
  }

  @Test
  void shouldRedactCredentialHeadersInGrpcMetadata() {
    assertThat(redactor.redact("Metadata(Authorization=Bearer x,set-cookie=s,user-agent=grpc)"))
        .isEqualTo("Metadata(Authorization=<redacted>,set-cookie=<redacted>,user-agent=grpc)");
  }

  @Test
  void shouldRedactATokenWhereverItAppears() {
    assertThat(redactor.redact("x-forwarded: " + TOKEN + ", key=" + TOKEN + " [" + TOKEN + "]"))
        .isEqualTo("x-forwarded: <redacted>, key=<redacted> [<redacted>]");
  }

  @Test
  void shouldLeaveTextWithoutCredentialsUnchanged() {
    String line = "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16]";
    assertThat(redactor.redact(line)).isSameAs(line);
    assertThat(redactor.redact("expecting header 'triton-grpc-protocol-k'"))
        .isEqualTo("expecting header 'triton-grpc-protocol-k'");
  }

  @Test
  void shouldRedactHeadersWithoutSecretsConfigured() {
    assertThat(Redactor.headersOnly().redact("authorization: Bearer " + TOKEN + ", te: x"))
        .isEqualTo("authorization: <redacted>, te: x");
  }
}
