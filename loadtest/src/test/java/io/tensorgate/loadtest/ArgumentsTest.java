package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Ranges, durations and the tensor specs the command line takes. */
class ArgumentsTest {

  @Test
  void shouldStepFromStartToEndWhenRangeHasThreeParts() {
    assertThat(Ranges.integers("1:64:8")).containsExactly(1, 9, 17, 25, 33, 41, 49, 57);
    assertThat(Ranges.integers("4")).containsExactly(4);
    assertThat(Ranges.doubles("0.5:1.5:0.5")).containsExactly(0.5, 1.0, 1.5);
  }

  @Test
  void shouldRejectRangeWhenEndIsBelowStart() {
    assertThatThrownBy(() -> Ranges.integers("8:4")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldParseGoStyleDurationsWhenGivenUnits() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationConverter.parse("1h0m0.5s")).isEqualTo(Duration.ofMillis(3_600_500));
    assertThatThrownBy(() -> DurationConverter.parse("5"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void shouldParseByteSizesAsGoHumanizeDoes() {
    assertThat(ByteSizes.parse("4194304")).isEqualTo(4_194_304);
    assertThat(ByteSizes.parse("42 MB")).isEqualTo(42_000_000);
    assertThat(ByteSizes.parse("64MiB")).isEqualTo(64L << 20);
    assertThat(ByteSizes.parse("1.5kib")).isEqualTo(1536);
    assertThatThrownBy(() -> ByteSizes.parse("lots")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldLowerCaseNamesAndBase64BinaryValuesWhenMetadataGiven() throws Exception {
    assertThat(RequestMetadata.parse("{\"X-Token\":\"abc\",\"trace-bin\":\"\\u0001\"}", false))
        .containsExactly(
            java.util.Map.entry("x-token", "abc"), java.util.Map.entry("trace-bin", "AQ"));
  }

  @Test
  void shouldRefuseReservedOrTemplatedMetadata() {
    assertThatThrownBy(() -> RequestMetadata.parse("{\"grpc-timeout\":\"1S\"}", false))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> RequestMetadata.parse("{\"id\":\"{{.RequestNumber}}\"}", false))
        .hasMessageContaining("templates");
    assertThatThrownBy(() -> RequestMetadata.parse("{\"id\":\"caf\u00e9\"}", false))
        .hasMessageContaining("printable ASCII");
  }

  @Test
  void shouldDecodePercentEncodedGrpcMessagesAndCapThem() {
    assertThat(GrpcWireStatus.decodeMessage("model %27x%27 not found%3A %F0%9F%98%80"))
        .isEqualTo("model 'x' not found: \uD83D\uDE00");
    assertThat(GrpcWireStatus.decodeMessage("a".repeat(10_000)))
        .hasSize(GrpcWireStatus.MAX_MESSAGE_CHARS + 3);
  }

  @Test
  void shouldMapResetsAndHttpStatusesAsGrpcJavaDoes() {
    assertThat(GrpcWireStatus.fromReset(0x7).getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(GrpcWireStatus.fromReset(0x8).getCode()).isEqualTo(io.grpc.Status.Code.CANCELLED);
    assertThat(GrpcWireStatus.fromHttpStatus(503).getCode())
        .isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(GrpcWireStatus.fromHttpStatus(404).getCode())
        .isEqualTo(io.grpc.Status.Code.UNIMPLEMENTED);
  }

  @Test
  void shouldParseNameTypeAndDimsWhenTensorSpecGiven() {
    assertThat(TensorSpec.parse("IMAGE:fp32:3,224,224"))
        .isEqualTo(new TensorSpec("IMAGE", "FP32", List.of(3L, 224L, 224L)));
  }

  @Test
  void shouldPrintUsageWhenHelpAsked() {
    Cli cli = Cli.execute("run", "--help");

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out())
        .contains("--concurrency-range", "--rate", "--shared-memory", "--server-stats");
  }

  @Test
  void shouldRefuseBothModesWhenConcurrencyAndRateGiven() {
    Cli cli = Cli.execute("run", "-m", "simple", "--concurrency", "2", "--rate", "10");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("mutually exclusive");
  }
}
