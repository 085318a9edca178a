package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.cli.TritonCommandLine;
import io.tensorgate.server.logging.LogControl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line speaks Triton's flag names and syntax, and answers mistakes in one line. */
class MainTest {
  /** Runs the command on arguments that must not start a server; returns exit code and stderr. */
  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    int code = Main.execute(cli, args);
    return new Result(code, err.toString(), out.toString());
  }

  private record Result(int code, String err, String out) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

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
            "--log-verbose",
            "--exit-on-error",
            "--strict-readiness",
            "--id",
            "--grpc-keepalive-time");
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
    Result r = run("--http-restricted-api=inference:key=value", "--grpc-port=0", "--http-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).startsWith("tensorgate: --http-restricted-api");
    assertThat(r.errLines().get(0)).contains("--grpc-restricted-protocol");
  }

  @Test
  void shouldRefuseAnHttpPortOutOfRange() {
    Result r = run("--http-port=70000", "--grpc-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0))
        .isEqualTo("tensorgate: --http-port must be in [0, 65535], got 70000");
  }

  @Test
  void shouldRefuseTurningOffBothProtocols() {
    Result r = run("--allow-grpc=false", "--allow-http", "0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("the server would have no endpoint");
  }

  @Test
  void shouldRefuseUnknownControlMode() {
    Result r = run("--model-control-mode", "sometimes", "--grpc-port", "0");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--model-control-mode").contains("sometimes");
  }

  @Test
  void shouldRefuseLoadModelWithoutExplicitControlModeAsTritonDoes() {
    Result r = run("--load-model=simple", "--grpc-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0))
        .isEqualTo(
            "tensorgate: Use of '--load-model' requires setting '--model-control-mode=explicit'"
                + " as well.");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--allow-sagemaker=true|--allow-sagemaker=true: SageMaker endpoints are not served",
        "--backend-directory=/opt/tritonserver/backends|--backend-directory: backends are built in",
        "--cache-config=local,size=1048576|--cache-config: there is no response cache",
        "--rate-limit=execution_count|--rate-limit=execution_count: Tensorgate has no rate limiter",
        "--grpc-http2-max-ping-strikes=5|--grpc-http2-max-ping-strikes: grpc-java closes",
        "--model-namespacing=true|--model-namespacing=true: Tensorgate serves one model repository",
        "--pinned-memory-pool-byte-size=268435456|--pinned-memory-pool-byte-size: Tensorgate keeps"
      })
  void shouldNameATritonFlagWhoseFeatureIsMissingAndWhyInOneLine(String flag, String expected) {
    Result r = run(flag, "--grpc-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("tensorgate: " + expected);
    assertThat(r.errLines().get(1)).startsWith("Run 'tensorgate --help'");
    assertThat(r.out()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--exit-on-error=maybe|'maybe' is not a boolean",
        "--grpc-port=eight|'eight' is not an int",
        "--model-load-thread-count=0|--model-load-thread-count must be at least 1",
        "--backend-config=onnxruntime,enable-global-threadpool=1|setting 'enable-global-threadpool'"
            + " is not supported",
        "--no-such-flag|unknown flag '--no-such-flag'"
      })
  void shouldPrintOneErrorLineAndAHintForAnInvalidFlag(String flag, String expected) {
    Result r = run(flag, "--grpc-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("tensorgate: ").contains(expected);
    assertThat(r.err()).doesNotContain("Usage:");
  }

  @Test
  void shouldRefuseASecondModelRepository() {
    Result r = run("--model-repository=/a", "--model-store=/b", "--grpc-port=0");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("one model repository");
  }

  @Test
  void shouldRefuseTheWildcardBesideOtherStartupModels() {
    Result r = run("--model-control-mode=explicit", "--load-model=*", "--load-model=simple");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0))
        .contains("Wildcard model name '*' must be the ONLY startup model");
  }

  @ParameterizedTest
  @CsvSource({"1,true", "0,false", "on,true", "OFF,false", "True,true", "false,false"})
  void shouldReadTritonsBooleanSpellingsAsSeparateOrAttachedValues(String value, String expected) {
    CommandLine cli = Main.commandLine();

    assertThat(TritonCommandLine.normalize(cli, new String[] {"--exit-on-error", value}))
        .containsExactly("--exit-on-error=" + expected);
    assertThat(TritonCommandLine.normalize(cli, new String[] {"--strict-readiness=" + value}))
        .containsExactly("--strict-readiness=" + expected);
  }

  @Test
  void shouldLeaveABareBooleanFlagBareWhenTheNextArgumentIsAnotherFlag() {
    CommandLine cli = Main.commandLine();

    assertThat(
            TritonCommandLine.normalize(
                cli, new String[] {"--grpc-use-ssl", "--grpc-server-cert", "c.pem"}))
        .containsExactly("--grpc-use-ssl", "--grpc-server-cert", "c.pem");
  }

  @Test
  void shouldRewriteTritonsDeprecatedTraceFlagsToTraceConfig() {
    CommandLine cli = Main.commandLine();

    assertThat(
            TritonCommandLine.normalize(
                cli, new String[] {"--trace-level", "TIMESTAMPS", "--trace-rate=100"}))
        .containsExactly("--trace-config=level=TIMESTAMPS", "--trace-config=rate=100");
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
