package io.tensorgate.server;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.server.logging.LogControl;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
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
    description = "Triton-compatible gRPC model-inference server.",
    sortOptions = false)
public final class Main implements Callable<Integer> {
  @Option(
      names = "--model-repository",
      defaultValue = "models",
      description = "Triton-layout model repository folder (default: ${DEFAULT-VALUE}).")
  Path modelRepository;

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
      names = "--grpc-max-message-bytes",
      defaultValue = "67108864",
      description = "Largest request message accepted (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(
      names = "--system-shm-dir",
      defaultValue = "/dev/shm",
      description = "Where system shared-memory keys live (default: ${DEFAULT-VALUE}).")
  Path shmDir;

  @Option(
      names = "--log-verbose",
      defaultValue = "0",
      description = "Verbose logging level; 0 is off (default: ${DEFAULT-VALUE}).")
  int logVerbose;

  @Override
  public Integer call() throws IOException, InferenceException, InterruptedException {
    LogControl logControl = new LogControl(logVerbose);
    Logger log = LoggerFactory.getLogger(Main.class);
    TensorgateServer server =
        TensorgateServer.builder()
            .modelRepository(modelRepository)
            .controlMode(controlMode)
            .loadModels(loadModels)
            .pollSeconds(pollSeconds)
            .grpcAddress(grpcAddress)
            .grpcPort(grpcPort)
            .exitTimeout(Duration.ofSeconds(exitTimeoutSeconds))
            .maxMessageBytes(maxMessageBytes)
            .sharedMemoryRoot(shmDir)
            .logControl(logControl)
            .build()
            .start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("signal received: draining");
                  server.shutdown();
                },
                "shutdown"));
    server.awaitTermination();
    return 0;
  }

  public static void main(String[] args) {
    CommandLine cli = commandLine();
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // Start-up failures (port taken, repository missing) are one clear line, not a trace.
          LoggerFactory.getLogger(Main.class).error("tensorgate failed to start: {}", describe(e));
          return 1;
        });
    System.exit(cli.execute(args));
  }

  /** The parser, accepting Triton's lower-case enum values ({@code --model-control-mode poll}). */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
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
