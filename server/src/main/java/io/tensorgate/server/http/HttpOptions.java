package io.tensorgate.server.http;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Option;

/**
 * The HTTP/REST endpoint (KServe v2 with Triton's extensions): a picocli mixin of the {@code
 * tensorgate} command and, through its setters, the programmatic settings of a server. Flag names
 * are Triton's. On the command line HTTP is on (port 8000, as Triton); a server built in code
 * serves HTTP only when given these options (see {@code TensorgateServerBuilder#http}).
 */
public final class HttpOptions {
  /** Triton's default for {@code --http-max-input-size}: 64 MiB. */
  public static final int DEFAULT_MAX_INPUT_SIZE = 64 << 20;

  @Option(
      names = "--allow-http",
      arity = "0..1",
      paramLabel = "<bool>",
      description = "Triton's: serve HTTP/REST (default: ${DEFAULT-VALUE}).")
  boolean allowHttp = true;

  @Option(
      names = "--http-port",
      paramLabel = "<port>",
      description = "Triton's: HTTP/REST port (default: ${DEFAULT-VALUE}).")
  int port = 8000;

  @Option(
      names = "--http-address",
      paramLabel = "<address>",
      description = "Triton's: address to bind HTTP/REST to (default: the --grpc-address).")
  String address;

  @Option(
      names = "--http-thread-count",
      paramLabel = "<n>",
      description =
          "Triton's: threads that read, parse and answer HTTP requests (default: one per core).")
  int threadCount;

  @Option(
      names = "--http-max-input-size",
      paramLabel = "<bytes>",
      description =
          "Triton's: largest HTTP request body, also after decompression (default:"
              + " ${DEFAULT-VALUE}).")
  int maxInputSize = DEFAULT_MAX_INPUT_SIZE;

  @Option(
      names = "--http-header-forward-pattern",
      paramLabel = "<regex>",
      description =
          "Triton's: request headers whose names match become string parameters of the"
              + " inference request.")
  String headerForwardPattern;

  @Option(
      names = "--http-idle-timeout-secs",
      paramLabel = "<secs>",
      description =
          "Close an HTTP connection that sends nothing for this long, mid-request or between"
              + " requests; 0 keeps idle connections (default: ${DEFAULT-VALUE}).")
  int idleTimeoutSeconds = 60;

  @Option(
      names = "--reuse-http-port",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Triton's: let several servers listen on the same HTTP port (SO_REUSEPORT; default:"
              + " ${DEFAULT-VALUE}).")
  boolean reusePort;

  @Option(
      names = "--http-restricted-api",
      paramLabel = "<apis>:<key>=<value>",
      description =
          "Triton's HTTP restrictions are refused here: HTTP applies the gRPC rules"
              + " (--grpc-restricted-protocol, --grpc-auth-token-file) to the same groups.")
  String restrictedApi;

  public HttpOptions allowHttp(boolean v) {
    this.allowHttp = v;
    return this;
  }

  /** 0 picks a free port. */
  public HttpOptions port(int v) {
    this.port = v;
    return this;
  }

  /** Where HTTP is bound; {@code null} (default) uses the gRPC address. */
  public HttpOptions address(String v) {
    this.address = v;
    return this;
  }

  /** Event-loop threads; 0 (default) is one per core. */
  public HttpOptions threadCount(int v) {
    this.threadCount = v;
    return this;
  }

  public HttpOptions maxInputSize(int v) {
    this.maxInputSize = v;
    return this;
  }

  public HttpOptions headerForwardPattern(String v) {
    this.headerForwardPattern = v;
    return this;
  }

  public HttpOptions idleTimeoutSeconds(int v) {
    this.idleTimeoutSeconds = v;
    return this;
  }

  public HttpOptions reusePort(boolean v) {
    this.reusePort = v;
    return this;
  }

  public boolean enabled() {
    return allowHttp;
  }

  public int port() {
    return port;
  }

  /** The bind address: the HTTP one if set, else {@code grpcAddress}. */
  public String bindAddress(String grpcAddress) {
    return address != null ? address : grpcAddress;
  }

  /** Threads of the HTTP event loops. */
  int threads() {
    return threadCount > 0 ? threadCount : Runtime.getRuntime().availableProcessors();
  }

  /** The compiled header-forward pattern, or {@code null} when none is set. */
  Pattern headerForward() {
    return headerForwardPattern == null || headerForwardPattern.isEmpty()
        ? null
        : Pattern.compile(headerForwardPattern);
  }

  /**
   * Checks the settings together.
   *
   * @throws IllegalArgumentException naming the flag at fault
   */
  public void validate() {
    if (restrictedApi != null) {
      throw new IllegalArgumentException(
          "--http-restricted-api: HTTP applies the gRPC access rules to the same protocol groups;"
              + " use --grpc-restricted-protocol (HTTP clients send header"
              + " triton-grpc-protocol-<key>) or --grpc-auth-token-file");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--http-port must be in [0, 65535], got " + port);
    }
    if (threadCount < 0) {
      throw new IllegalArgumentException(
          "--http-thread-count must not be negative, got " + threadCount);
    }
    if (maxInputSize <= 0) {
      throw new IllegalArgumentException("--http-max-input-size must be greater than 0.");
    }
    if (idleTimeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "--http-idle-timeout-secs must not be negative, got " + idleTimeoutSeconds);
    }
    if (headerForwardPattern != null) {
      try {
        headerForward();
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "--http-header-forward-pattern is not a valid regular expression: "
                + e.getDescription());
      }
    }
  }
}
