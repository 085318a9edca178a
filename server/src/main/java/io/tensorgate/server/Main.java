package io.tensorgate.server;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.cli.SignCommand;
import io.tensorgate.server.cli.TritonCommandLine;
import io.tensorgate.server.cli.TritonOptions;
import io.tensorgate.server.http.HttpOptions;
import io.tensorgate.server.logging.LogControl;
import io.tensorgate.server.logging.LogOptions;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.security.SecurityOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tensorgate} command: flags named like Triton's where the meaning is the same. */
@Command(
    name = "tensorgate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Triton-compatible gRPC and HTTP/REST model-inference server.",
    sortOptions = false,
    subcommands = SignCommand.class)
public final class Main implements Callable<Integer> {
  @Option(
      names = {"--model-repository", "--model-store"},
      description =
          "Triton-layout model repository folder (default: models). Triton's --model-store is the"
              + " same flag; one repository only.")
  List<Path> modelRepositories = new ArrayList<>();

  @Option(
      names = "--model-control-mode",
      defaultValue = "none",
      description =
          "none: load every model at start, no load/unload RPCs; poll: also reload changed models"
              + " every --repository-poll-secs; explicit: load only --load-model models, RPCs"
              + " allowed (default: ${DEFAULT-VALUE}).")
  ControlMode controlMode;

  @Option(
      names = "--load-model",
      description = "With explicit control: a model to load at start ('*' for all). Repeatable.")
  List<String> loadModels = new ArrayList<>();

  @Option(
      names = "--repository-poll-secs",
      defaultValue = "15",
      description = "Poll interval in poll mode (default: ${DEFAULT-VALUE}).")
  long pollSeconds;

  @Option(
      names = "--grpc-address",
      defaultValue = "127.0.0.1",
      description =
          "Address to bind gRPC to (default: ${DEFAULT-VALUE}; use 0.0.0.0 in containers).")
  String grpcAddress;

  @Option(
      names = "--grpc-port",
      defaultValue = "8001",
      description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(
      names = "--exit-timeout-secs",
      defaultValue = "30",
      description =
          "On SIGTERM, how long in-flight requests may take to finish (default: ${DEFAULT-VALUE}).")
  long exitTimeoutSeconds;

  @Option(
      names = "--execution-timeout-secs",
      defaultValue = "300",
      description =
          "How long one batch may execute before its model instance counts as hung: the batch"
              + " fails with INTERNAL and a new instance replaces it; 0 turns the watchdog off"
              + " (default: ${DEFAULT-VALUE}).")
  long executionTimeoutSeconds;

  @Option(
      names = "--max-queue-wait-ms",
      defaultValue = "1000",
      description =
          "Keep queue waits within this: refuse a request at once (UNAVAILABLE) when its"
              + " predicted queue wait, from the model version's measured time per request,"
              + " exceeds 3/4 of it or its deadline; 0 turns this off (default: ${DEFAULT-VALUE}).")
  long maxQueueWaitMillis;

  @Option(
      names = "--grpc-max-message-bytes",
      defaultValue = "67108864",
      description = "Largest request message accepted (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(
      names = "--max-inflight-request-bytes",
      defaultValue = "0",
      description =
          "Most bytes inference requests in flight may hold once decoded, together (BYTES"
              + " elements count 64 bytes each on top of their data); a request that does not fit"
              + " is refused with RESOURCE_EXHAUSTED before it is decoded. 0: half the maximum"
              + " heap, at most 1 GiB (default: ${DEFAULT-VALUE}).")
  long maxInflightRequestBytes;

  @Option(
      names = "--system-shm-dir",
      defaultValue = "/dev/shm",
      description = "Where system shared-memory keys live (default: ${DEFAULT-VALUE}).")
  Path shmDir;

  @CommandLine.Mixin ObservabilityFlags observability = new ObservabilityFlags();

  @CommandLine.Mixin SecurityOptions security = new SecurityOptions();

  @CommandLine.Mixin TritonOptions triton = new TritonOptions();

  @CommandLine.Mixin GrpcTransportOptions transport = new GrpcTransportOptions();

  @CommandLine.Mixin LogOptions logging = new LogOptions();

  @CommandLine.Mixin GovernanceOptions governance = new GovernanceOptions();
  @CommandLine.Mixin HttpOptions http = new HttpOptions();

  @Override
  public Integer call() throws IOException, InferenceException, InterruptedException {
    checkTritonFlags();
    if (maxQueueWaitMillis < 0) {
      throw bad("--max-queue-wait-ms must be 0 (off) or more, got " + maxQueueWaitMillis);
    }
    LogControl logControl = new LogControl(logging.settings());
    Logger log = LoggerFactory.getLogger(Main.class);
    TensorgateServer server =
        triton
            .applyTo(TensorgateServer.builder())
            .transport(transport)
            .modelRepository(
                modelRepositories.isEmpty() ? Path.of("models") : modelRepositories.get(0))
            .controlMode(controlMode)
            .loadModels(loadModels)
            .pollSeconds(pollSeconds)
            .grpcAddress(grpcAddress)
            .grpcPort(grpcPort)
            .exitTimeout(Duration.ofSeconds(exitTimeoutSeconds))
            .executionTimeout(Duration.ofSeconds(executionTimeoutSeconds))
            .maxQueueWait(Duration.ofMillis(maxQueueWaitMillis))
            .maxMessageBytes(maxMessageBytes)
            .maxInflightRequestBytes(maxInflightRequestBytes)
            .sharedMemoryRoot(shmDir)
            .logControl(logControl)
            .observability(observabilityOptions())
            .security(security)
            .governance(governance)
            .http(http)
            .build()
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("signal received: draining");
                  // As Triton: 0 after a graceful stop, 1 when the exit timeout cut it short. The
                  // JVM would report 128 + signal (143), which systemd counts as a failure. The log
                  // appenders flush every event, so nothing is lost by halting here.
                  int status = server.shutdownForExit() ? 0 : 1;
                  log.info("exiting with status {}", status);
                  Runtime.getRuntime().halt(status);
                },
                "shutdown"));
    server.awaitTermination();
    return 0;
  }

  /** Triton's rules for flags that go together; a flag asking for a missing feature is refused. */
  private void checkTritonFlags() {
    if (modelRepositories.size() > 1) {
      throw bad(
          "--model-repository: Tensorgate serves one model repository, got "
              + modelRepositories.size());
    }
    if (!loadModels.isEmpty() && controlMode != ControlMode.EXPLICIT) {
      throw bad("Use of '--load-model' requires setting '--model-control-mode=explicit' as well.");
    }
    if (loadModels.contains("*") && loadModels.size() > 1) {
      throw bad("Wildcard model name '*' must be the ONLY startup model if specified at all.");
    }
    try {
      triton.validate();
      transport.validate();
      governance.validate();
      http.validate();
      if (!triton.allowsGrpc() && !http.enabled()) {
        throw new IllegalArgumentException(
            "--allow-grpc=false with --allow-http=false: the server would have no endpoint");
      }
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private ObservabilityOptions observabilityOptions() {
    try {
      return observability.options();
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  private static CommandLine.ParameterException bad(String message) {
    return new CommandLine.ParameterException(commandLine(), message);
  }

  public static void main(String[] args) {
    CommandLine cli = commandLine();
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // Start-up failures (port taken, repository missing) are one clear line, not a trace.
          LoggerFactory.getLogger(Main.class).error("tensorgate failed to start: {}", describe(e));
          return 1;
        });
    System.exit(execute(cli, args));
  }

  /**
   * The parser, accepting Triton's lower-case enum values ({@code --model-control-mode poll}) and
   * answering a bad command line in one line.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    return cli.setParameterExceptionHandler(TritonCommandLine.parameterErrors(cli));
  }

  /** Runs the command on a command line written as Triton users write it. */
  static int execute(CommandLine cli, String... args) {
    return cli.execute(TritonCommandLine.normalize(cli, args));
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      sb.append(": ").append(c.getMessage());
    }
    return sb.toString();
  }

  /** Reports the build's version for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"tensorgate " + TensorgateServer.version()};
    }
  }
}
