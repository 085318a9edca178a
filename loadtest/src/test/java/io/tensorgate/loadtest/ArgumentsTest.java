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
    assertThatThrownBy(() -> DurationConverter.parse("5"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
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
