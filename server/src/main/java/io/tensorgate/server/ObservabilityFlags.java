package io.tensorgate.server;

import io.tensorgate.server.tracing.TraceSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Metrics, payload logs and tracing: a picocli mixin of the {@code tensorgate} command, turned into
 * {@link ObservabilityOptions} with Triton's {@code --metrics-config} and {@code --trace-config}
 * vocabulary.
 */
final class ObservabilityFlags {
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

  /**
   * The flags as options.
   *
   * @throws IllegalArgumentException with the message to show for a bad value
   */
  ObservabilityOptions options() {
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
        throw new IllegalArgumentException("--metrics-config: unsupported setting '" + p[0] + "'");
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
        throw new IllegalArgumentException(
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
            throw new IllegalArgumentException(
                "--trace-config: only mode=opentelemetry is supported");
          }
          break;
        default:
          throw new IllegalArgumentException("--trace-config: unsupported setting '" + p[0] + "'");
      }
    }
    try {
      new TraceSettings(level, rate, count);
      o.trace(level, rate, count);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--trace-config: " + e.getMessage());
    }
    return o;
  }

  private static String[] keyValue(String flag, String kv) {
    int eq = kv.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(flag + " expects KEY=VALUE, got '" + kv + "'");
    }
    return new String[] {kv.substring(0, eq).trim(), kv.substring(eq + 1).trim()};
  }

  private static TraceSettings.Level traceLevel(String v) {
    for (TraceSettings.Level l : TraceSettings.Level.values()) {
      if (l.name().equalsIgnoreCase(v)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "--trace-config: level must be OFF, TIMESTAMPS or TENSORS, got '" + v + "'");
  }

  private static int integer(String flag, String[] p) {
    try {
      return Integer.parseInt(p[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          flag + ": " + p[0] + " must be a whole number, got '" + p[1] + "'");
    }
  }

  private static boolean bool(String flag, String[] p) {
    if (!p[1].equals("true") && !p[1].equals("false")) {
      throw new IllegalArgumentException(flag + ": " + p[0] + " must be true or false");
    }
    return Boolean.parseBoolean(p[1]);
  }
}
