package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorgateClientBuilderTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost:8001",
        "127.0.0.1:8001",
        "127.8.9.10:1",
        "[::1]:8001",
        "dns:///localhost:8001",
        "dns://8.8.8.8/127.0.0.1:8001",
        "unix:/tmp/tensorgate.sock"
      })
  void shouldTreatTargetAsLoopbackWhenItNamesOne(String target) {
    assertThat(TensorgateClientBuilder.isLoopback(target)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "inference.internal:8001",
        "10.0.0.1:8001",
        "localhost.evil.example:8001",
        "127.0.0.1.nip.io:8001",
        "dns:///inference:8001",
        "[::2]:8001"
      })
  void shouldNotTreatTargetAsLoopbackWhenItNamesAnotherHost(String target) {
    assertThat(TensorgateClientBuilder.isLoopback(target)).isFalse();
  }

  @Test
  void shouldRefuseTokenInPlaintextWhenTargetIsNotLoopback() {
    TensorgateClientBuilder b =
        TensorgateClient.builder("inference.internal:8001").bearerToken("0123456789abcdef");
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use tls(...) or allowTokenWithoutTls()");
  }

  @Test
  void shouldAllowTokenInPlaintextWhenExplicitlyAllowed() {
    try (TensorgateClient c =
        TensorgateClient.builder("inference.internal:8001")
            .bearerToken("0123456789abcdef")
            .allowTokenWithoutTls()
            .build()) {
      assertThat(c.channel()).isNotNull();
    }
  }

  @Test
  void shouldRefuseTokenWhenItHasSpacesOrControlCharacters() {
    TensorgateClientBuilder b = TensorgateClient.builder("localhost:8001");
    assertThatThrownBy(() -> b.bearerToken("two words"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.bearerToken("line\nbreak"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseRetryPolicyWhenItWouldNeverRetry() {
    TensorgateClientBuilder b = TensorgateClient.builder("localhost:8001");
    assertThatThrownBy(() -> b.retryOnUnavailable(1, Duration.ofMillis(1), Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.retryOnUnavailable(3, Duration.ofMillis(5), Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
