package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

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
  void shouldListTritonsHttpFlagsInHelp() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--allow-http",
            "--http-port",
            "--http-address",
            "--http-thread-count",
            "--http-max-input-size",
            "--http-header-forward-pattern");
  }

  @Test
  void shouldRefuseHttpRestrictedApiNamingTheGrpcRules() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(
            cli.execute(
                "--http-restricted-api",
                "inference:key=value",
                "--grpc-port",
                "0",
                "--http-port",
                "0"))
        .isNotZero();
    assertThat(err.toString()).contains("--grpc-restricted-protocol");
  }

  @Test
  void shouldRefuseAnHttpPortOutOfRange() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--http-port", "70000", "--grpc-port", "0")).isNotZero();
    assertThat(err.toString()).contains("--http-port must be in [0, 65535]");
  }

  @Test
  void shouldRefuseUnknownControlMode() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--model-control-mode", "sometimes", "--grpc-port", "0")).isNotZero();
    assertThat(err.toString()).contains("--model-control-mode").contains("sometimes");
  }
}
