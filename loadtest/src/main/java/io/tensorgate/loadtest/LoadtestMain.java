package io.tensorgate.loadtest;

import ai.onnxruntime.OrtException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar tensorgate-loadtest.jar [ghz flags] host:port}: ghz's command line for Triton's
 * inference service, driven by the lean client; and the subcommands {@code run} (the same load with
 * perf_analyzer-style flags), {@code echo} and {@code inprocess} (the two baselines).
 */
@Command(
    name = "tensorgate-loadtest",
    subcommands = {RunCommand.class, EchoCommand.class, InprocessCommand.class},
    sortOptions = false,
    customSynopsis = {
      "tensorgate-loadtest [ghz flags] [Tensorgate flags] host:port",
      "       tensorgate-loadtest (run | echo | inprocess) [flags]"
    },
    usageHelpWidth = 100,
    description = {
      "Load test for Triton-protocol gRPC servers with ghz's command line"
          + " (ghz.sh/docs/options) and ghz's reports, sent by a lean HTTP/2 client.",
      "Tensorgate's additions (--model, --batch-size, --server-stats, sweeps, ...) have long names"
          + " only.",
      "",
      "  tensorgate-loadtest -c 16 -z 10s --insecure -D req.json -O json 127.0.0.1:8001",
      "  tensorgate-loadtest --insecure --model simple -c 64 --connections 4 -z 10s 127.0.0.1:8001",
      "  tensorgate-loadtest --config loadtest/ghz/simple-raw-c8.json",
      ""
    })
public final class LoadtestMain implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "show this help")
  boolean help;

  @Option(
      names = {"-v", "--version"},
      versionHelp = true,
      description = "print the version")
  boolean version;

  @Mixin GhzOptions ghz;

  @Mixin ModelOptions model;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final boolean terminal;
  private final InputStream stdin;
  private boolean configApplied;

  /**
   * @param terminal whether stdout is a terminal (the progress line shows only then)
   * @param stdin where {@code -d @} and {@code -b} read call data
   */
  LoadtestMain(boolean terminal, InputStream stdin) {
    this.terminal = terminal;
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws Exception {
    if (ghz.config != null && !configApplied) {
      return withConfig();
    }
    return new GhzRun(ghz, model, spec.commandLine().getOut(), terminal, stdin).run();
  }

  /** Parses again with the config's keys first, so that the command line overrides them. */
  private Integer withConfig() throws Exception {
    GhzConfig.Arguments config = GhzConfig.read(ghz.config, spec.commandLine().getErr());
    List<String> arguments = new ArrayList<>(config.arguments());
    arguments.addAll(spec.commandLine().getParseResult().originalArgs());
    LoadtestMain merged = new LoadtestMain(terminal, stdin);
    merged.configApplied = true;
    CommandLine commandLine = configure(new CommandLine(merged));
    commandLine.setOut(spec.commandLine().getOut());
    commandLine.setErr(spec.commandLine().getErr());
    commandLine.parseArgs(arguments.toArray(new String[0]));
    if (merged.ghz.host == null) {
      merged.ghz.host = config.host();
    }
    return merged.call();
  }

  /**
   * A command line with friendly errors: bad arguments, server errors and unreadable files print
   * one line and exit with 2.
   */
  public static CommandLine commandLine(boolean terminal, InputStream stdin) {
    return configure(new CommandLine(new LoadtestMain(terminal, stdin)));
  }

  private static CommandLine configure(CommandLine commandLine) {
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    // A config's keys come first as arguments; the command line's later ones replace them.
    commandLine.setOverwrittenOptionsAllowed(true);
    commandLine.getCommandSpec().version("tensorgate-loadtest " + version());
    commandLine.setExecutionExceptionHandler(
        (e, cl, parseResult) -> {
          if (e instanceof StatusRuntimeException failed) {
            cl.getErr().println("error: " + describe(failed));
            return 2;
          }
          if (e instanceof IllegalArgumentException
              || e instanceof OrtException
              || e instanceof IOException
              || e instanceof CommandLine.ParameterException) {
            cl.getErr().println("error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return commandLine;
  }

  /**
   * A failed control call (ModelMetadata, ModelStatistics, ...) in one line: the status and what
   * went wrong underneath, without grpc-java's channel pipeline dump.
   */
  static String describe(StatusRuntimeException e) {
    Status status = e.getStatus();
    Throwable root = status.getCause();
    boolean tls = root instanceof SSLException;
    while (root != null && root.getCause() != null) {
      root = root.getCause();
      tls |= root instanceof SSLException;
    }
    String description = status.getDescription() == null ? "" : status.getDescription();
    int newline = description.indexOf('\n');
    if (newline >= 0) {
      description = description.substring(0, newline);
    }
    if (tls) {
      return status.getCode()
          + ": TLS handshake failed ("
          + root.getMessage()
          + "); a plaintext server needs --insecure";
    }
    if (root != null && root.getMessage() != null) {
      description =
          description.isEmpty() ? root.getMessage() : description + ": " + root.getMessage();
    }
    return status.getCode() + (description.isEmpty() ? "" : ": " + description);
  }

  private static String version() {
    String version = LoadtestMain.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }

  public static void main(String[] args) {
    // Netty samples buffers for leak reports by recording stack traces: measured at 16 % of the
    // client's Java CPU. The tests keep it on; a load run does not need it.
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    System.exit(commandLine(System.console() != null, System.in).execute(args));
  }
}
