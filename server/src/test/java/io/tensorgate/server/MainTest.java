package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.logging.LogControl;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line speaks Triton's flag names. */
class MainTest {
  @Test
  void shouldListTritonFlagsInHelp() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--model-repository",
            "--model-control-mode",
            "--load-model",
            "--repository-poll-secs",
            "--grpc-port",
            "--exit-timeout-secs",
            "--log-verbose");
  }

  @Test
  void shouldRefuseUnknownControlMode() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--model-control-mode", "sometimes", "--grpc-port", "0")).isNotZero();
    assertThat(err.toString()).contains("--model-control-mode").contains("sometimes");
  }

  @Test
  void shouldParseTritonsLogFlags() {
    CommandLine cli = Main.commandLine();
    cli.parseArgs(
        "--log-file",
        "/var/log/tensorgate.log",
        "--log-info",
        "false",
        "--log-warning",
        "OFF",
        "--log-error",
        "1",
        "--log-verbose",
        "true",
        "--log-format",
        "ISO8601");
    assertThat(((Main) cli.getCommand()).logging.settings())
        .isEqualTo(
            new LogControl.Settings("/var/log/tensorgate.log", false, false, true, 1, "ISO8601"));
  }

  @Test
  void shouldDefaultToTritonsLogSettings() {
    CommandLine cli = Main.commandLine();
    cli.parseArgs();
    assertThat(((Main) cli.getCommand()).logging.settings())
        .isEqualTo(new LogControl.Settings("", true, true, true, 0, "default"));
  }

  @Test
  void shouldRefuseUnknownLogFormatAndBadBool() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--log-format", "iso8601", "--grpc-port", "0")).isNotZero();
    assertThat(err.toString()).contains("invalid argument for --log-format");
    assertThat(cli.execute("--log-info", "maybe", "--grpc-port", "0")).isNotZero();
    assertThat(err.toString()).contains("invalid value for bool option: maybe");
  }
}
