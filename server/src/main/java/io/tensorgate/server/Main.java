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
import io.tensorgate.server.tracing.TraceSettings;
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

  @Option(
      names = "--allow-metrics",
      arity = "1",
      defaultValue = "true",
      description = "Serve Prometheus metrics and record histograms (default: ${DEFAULT-VALUE}).")
  boolean allowMetrics;

  @Option(
      names = "--metrics-port",
      defaultValue = "8002",
      description = "Port of the /metrics endpoint (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--metrics-address",
      description = "Address to bind /metrics to (default: the --grpc-address).")
  String metricsAddress;

  @Option(
      names = "--metrics-config",
      description =
          "Triton's metric settings as KEY=VALUE; supported: counter_latencies=true|false."
              + " Repeatable.")
  List<String> metricsConfig = new ArrayList<>();

  @Option(
      names = "--payload-log-dir",
      description =
          "Folder for sampled payload logs (payload.jsonl); models opt in with the config"
              + " parameter payload_log_sample_rate. Default: no payload logs.")
  Path payloadLogDir;

  @Option(
      names = "--payload-log-max-file-bytes",
      defaultValue = "67108864",
      description = "Size at which a payload log file rotates (default: ${DEFAULT-VALUE}).")
  long payloadLogMaxFileBytes;

  @Option(
      names = "--payload-log-max-files",
      defaultValue = "5",
      description = "Payload log files kept, the current one included (default: ${DEFAULT-VALUE}).")
  int payloadLogMaxFiles;

  @Option(
      names = "--trace-otlp-endpoint",
      description =
          "Export traces over OTLP/HTTP to this URL (e.g. http://collector:4318/v1/traces)."
              + " Default: no tracing.")
  String traceOtlpEndpoint;

  @Option(
      names = "--trace-config",
      description =
          "Triton's global trace settings as KEY=VALUE: level=OFF|TIMESTAMPS|TENSORS, rate=N"
              + " (every N-th request), count=N (-1: no limit), mode=opentelemetry. Repeatable.")
  List<String> traceConfig = new ArrayList<>();

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

  /** The observability flags as options; bad values are parameter errors. */
  ObservabilityOptions observabilityOptions() {
    ObservabilityOptions o =
        new ObservabilityOptions()
            .allowMetrics(allowMetrics)
            .metricsPort(metricsPort)
            .metricsAddress(metricsAddress)
            .payloadLogDir(payloadLogDir)
            .payloadLogMaxFileBytes(payloadLogMaxFileBytes)
            .payloadLogMaxFiles(payloadLogMaxFiles)
            .traceOtlpEndpoint(traceOtlpEndpoint);
    for (String kv : metricsConfig) {
      String[] p = keyValue("--metrics-config", kv);
      if (!p[0].equals("counter_latencies")) {
        throw bad("--metrics-config: unsupported setting '" + p[0] + "'");
      }
      o.counterLatencies(bool("--metrics-config", p));
    }
    TraceSettings.Level level = TraceSettings.Level.OFF;
    int rate = 1000;
    int count = -1;
    for (String kv : traceConfig) {
      String[] p = keyValue("--trace-config", kv);
      int comma = p[0].indexOf(',');
      if (comma >= 0) {
        // Triton's <mode>,<setting>=<value>: the OpenTelemetry collector URL maps to ours.
        String mode = p[0].substring(0, comma);
        String setting = p[0].substring(comma + 1);
        if (mode.equals("opentelemetry") && setting.equals("url")) {
          if (traceOtlpEndpoint == null) {
            o.traceOtlpEndpoint(p[1].contains("://") ? p[1] : "http://" + p[1]);
          }
          continue;
        }
        throw bad(
            "--trace-config: setting '"
                + p[0]
                + "' is not supported (mode 'triton' writes trace files, which Tensorgate does"
                + " not; of 'opentelemetry', url is supported)");
      }
      switch (p[0]) {
        case "level":
          level = traceLevel(p[1]);
          break;
        case "rate":
          rate = integer("--trace-config", p);
          break;
        case "count":
          count = integer("--trace-config", p);
          break;
        case "mode":
          if (!p[1].equals("opentelemetry")) {
            throw bad("--trace-config: only mode=opentelemetry is supported");
          }
          break;
        default:
          throw bad("--trace-config: unsupported setting '" + p[0] + "'");
      }
    }
    try {
      new TraceSettings(level, rate, count);
      o.trace(level, rate, count);
    } catch (IllegalArgumentException e) {
      throw bad("--trace-config: " + e.getMessage());
    }
    return o;
  }

  private static String[] keyValue(String flag, String kv) {
    int eq = kv.indexOf('=');
    if (eq <= 0) {
      throw bad(flag + " expects KEY=VALUE, got '" + kv + "'");
    }
    return new String[] {kv.substring(0, eq).trim(), kv.substring(eq + 1).trim()};
  }

  private static TraceSettings.Level traceLevel(String v) {
    for (TraceSettings.Level l : TraceSettings.Level.values()) {
      if (l.name().equalsIgnoreCase(v)) {
        return l;
      }
    }
    throw bad("--trace-config: level must be OFF, TIMESTAMPS or TENSORS, got '" + v + "'");
  }

  private static int integer(String flag, String[] p) {
    try {
      return Integer.parseInt(p[1]);
    } catch (NumberFormatException e) {
      throw bad(flag + ": " + p[0] + " must be a whole number, got '" + p[1] + "'");
    }
  }

  private static boolean bool(String flag, String[] p) {
    if (!p[1].equals("true") && !p[1].equals("false")) {
      throw bad(flag + ": " + p[0] + " must be true or false");
    }
    return Boolean.parseBoolean(p[1]);
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
