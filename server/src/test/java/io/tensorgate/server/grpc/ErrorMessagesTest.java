package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The last check on error messages: no class names, no server paths, a few hundred bytes. */
class ErrorMessagesTest {
  @Test
  void shouldDropExceptionClassNames() {
    assertThat(
            ErrorMessages.sanitize(
                "failed to load 'm': java.lang.IllegalStateException: no instance;"
                    + " ai.onnxruntime.OrtException: bad model"))
        .isEqualTo("failed to load 'm': no instance; bad model");
    assertThat(ErrorMessages.sanitize("failed with io.grpc.StatusRuntimeException."))
        .isEqualTo("failed with .");
    assertThat(ErrorMessages.sanitize("model 'my.model.v2' has no version 'a.b.CError2'"))
        .isEqualTo("model 'my.model.v2' has no version 'a.b.CError2'");
  }

  @Test
  void shouldCutAbsolutePathsToTheirLastTwoParts() {
    assertThat(
            ErrorMessages.sanitize(
                "failed to parse /srv/models/.tensorgate/overrides/simple-3/1/model.onnx: bad"))
        .isEqualTo("failed to parse 1/model.onnx: bad");
    assertThat(ErrorMessages.sanitize("cannot read '/home/x/repo/m/config.pbtxt'"))
        .isEqualTo("cannot read 'm/config.pbtxt'");
  }

  @Test
  void shouldLeaveUrlsRelativePathsAndTritonMessagesAlone() {
    String[] kept = {
      "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,15]",
      "export to http://collector:4318/v1/traces failed",
      "parameter 'file:1/model.onnx' is not valid",
      "This protocol is restricted, expecting header 'triton-grpc-protocol-k'",
      "malformed inference.GRPCInferenceService request"
    };
    for (String m : kept) {
      assertThat(ErrorMessages.sanitize(m)).isSameAs(m);
    }
  }

  @Test
  void shouldCapMessagesAtFiveHundredTwelveBytesOnACharacterBoundary() {
    String longAscii = "x".repeat(100_000);
    String capped = ErrorMessages.sanitize(longAscii);
    assertThat(capped.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
    assertThat(capped).endsWith("... (truncated)");
    String emoji = "\uD83D\uDE00".repeat(1000);
    String cappedEmoji = ErrorMessages.sanitize(emoji);
    assertThat(cappedEmoji.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
    assertThat(cappedEmoji.replace("... (truncated)", "").length() % 2).isZero();
  }

  @Test
  void shouldReplaceControlCharacters() {
    assertThat(ErrorMessages.sanitize("model 'a\nb\u0000c'")).isEqualTo("model 'a b c'");
  }

  @Test
  void shouldSanitizeAHugeMessageOfDottedWordsWithoutBacktracking() {
    // A client-chosen name like this must not make the patterns backtrack for long: a bound far
    // above the milliseconds it takes, far below the hours catastrophic backtracking would.
    String dotted = "model '" + "a.".repeat(1_000_000) + "' not found";
    String s =
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ErrorMessages.sanitize(dotted));
    assertThat(s.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(512);
  }
}
