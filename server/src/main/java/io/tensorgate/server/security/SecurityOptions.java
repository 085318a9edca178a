package io.tensorgate.server.security;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * TLS, access rules and request/HTTP/2 limits of the gRPC port: a picocli mixin of the {@code
 * tensorgate} command and, through its setters, the programmatic settings of a server. Flag names
 * follow Triton's where Triton has the setting. Defaults: plaintext, no tokens, limits that no
 * ordinary client reaches.
 */
public final class SecurityOptions {
  @Option(
      names = "--grpc-use-ssl",
      arity = "0..1",
      description =
          "Serve gRPC over TLS with --grpc-server-cert/--grpc-server-key (default: false).")
  boolean useSsl;

  @Option(
      names = "--grpc-use-ssl-mutual",
      arity = "0..1",
      description =
          "Mutual TLS: also require a client certificate signed by --grpc-root-cert (implies"
              + " --grpc-use-ssl; default: false).")
  boolean useSslMutual;

  @Option(names = "--grpc-server-cert", description = "PEM certificate chain of the server.")
  Path serverCert;

  @Option(
      names = "--grpc-server-key",
      description = "PEM private key of the server (PKCS#8: 'BEGIN PRIVATE KEY').")
  Path serverKey;

  @Option(
      names = "--grpc-root-cert",
      description = "PEM CA certificate(s) that client certificates must chain to (mutual TLS).")
  Path rootCert;

  @Option(
      names = "--grpc-restricted-protocol",
      description =
          "Triton's <protocols>:<key>=<value>: calls to the comma-separated protocols need header"
              + " triton-grpc-protocol-<key> with <value>. Protocols: health, metadata, inference,"
              + " shared-memory, model-config, model-repository, statistics, trace, logging,"
              + " admin. Repeatable.")
  List<String> restrictedProtocols = new ArrayList<>();

  @Option(
      names = "--grpc-auth-token-file",
      description =
          "Bearer tokens per protocol group, one '<protocols>: <token>' rule a line ('*' for"
              + " every group not named); callers send 'authorization: Bearer <token>'.")
  Path authTokenFile;

  @Option(
      names = "--grpc-allow-unauthenticated-admin",
      arity = "0..1",
      description =
          "Off loopback without a token file, serve admin and model-repository calls and"
              + " state-changing calls without a token (default: false, they are refused until a"
              + " rule names their group).")
  boolean allowUnauthenticatedAdmin;

  @Option(
      names = "--grpc-max-metadata-bytes",
      defaultValue = "16384",
      description = "Largest header (metadata) block accepted (default: ${DEFAULT-VALUE}).")
  int maxMetadataBytes = 16384;

  @Option(
      names = "--grpc-max-concurrent-streams",
      defaultValue = "1000",
      description = "Concurrent calls per HTTP/2 connection (default: ${DEFAULT-VALUE}).")
  int maxConcurrentStreams = 1000;

  @Option(
      names = "--grpc-http2-min-recv-ping-interval-without-data",
      defaultValue = "300000",
      description =
          "Triton's: the shortest interval, in ms, between client pings; more frequent pings are"
              + " strikes and the connection is closed with GOAWAY (default: ${DEFAULT-VALUE}).")
  long minPingIntervalMillis = 300_000;

  @Option(
      names = "--grpc-keepalive-permit-without-calls",
      arity = "0..1",
      description = "Triton's: allow client keepalive pings with no call open (default: false).")
  boolean permitKeepaliveWithoutCalls;

  @Option(
      names = "--grpc-max-rst-frames-per-window",
      defaultValue = "200",
      description =
          "RST_STREAM frames a connection may send per --grpc-rst-window-secs before it is closed"
              + " (rapid-reset protection; 0 disables; default: ${DEFAULT-VALUE}).")
  int maxRstFrames = 200;

  @Option(
      names = "--grpc-rst-window-secs",
      defaultValue = "30",
      description = "Window of --grpc-max-rst-frames-per-window (default: ${DEFAULT-VALUE}).")
  int rstWindowSeconds = 30;

  @Option(
      names = "--grpc-handshake-timeout-ms",
      defaultValue = "20000",
      description =
          "Time a new connection has to finish its TLS/HTTP/2 handshake (default:"
              + " ${DEFAULT-VALUE}).")
  long handshakeTimeoutMillis = 20_000;

  @Option(
      names = "--grpc-max-connection-idle-secs",
      defaultValue = "300",
      description =
          "Close connections that had no call open for this long (GOAWAY; clients reconnect"
              + " when they need to); 0 keeps them (default: ${DEFAULT-VALUE}).")
  long maxConnectionIdleSeconds = 300;

  @Option(
      names = "--grpc-max-connections",
      defaultValue = "-1",
      description =
          "Most gRPC connections open at once; more are closed as they arrive. -1 derives it from"
              + " the open-file limit: (limit - 256) / 2, between 64 and 10000; 0 sets no cap"
              + " (default: ${DEFAULT-VALUE}).")
  int maxConnections = -1;

  @Option(
      names = "--grpc-new-connections-per-sec",
      defaultValue = "200",
      description =
          "New gRPC connections accepted a second across the server; more are closed as they"
              + " arrive; 0 sets no limit (default: ${DEFAULT-VALUE}).")
  int newConnectionsPerSecond = 200;

  @Option(
      names = "--grpc-total-rst-frames-per-sec",
      defaultValue = "2000",
      description =
          "RST_STREAM frames a second across all connections (on top of the per-connection"
              + " limit); a connection that resets a stream over it gets GOAWAY; 0 sets no limit"
              + " (default: ${DEFAULT-VALUE}).")
  int totalRstFramesPerSecond = 2000;

  @Option(
      names = "--max-tensor-elements",
      defaultValue = "268435456",
      description = "Most elements one input tensor may have (default: ${DEFAULT-VALUE}).")
  long maxTensorElements = 1L << 28;

  @Option(
      names = "--max-request-tensor-bytes",
      defaultValue = "2147483647",
      description =
          "Most input bytes the shapes of one request may imply (default: ${DEFAULT-VALUE}).")
  long maxRequestTensorBytes = Integer.MAX_VALUE;

  @Option(
      names = "--max-requested-outputs",
      defaultValue = "256",
      description = "Most outputs one request may name (default: ${DEFAULT-VALUE}).")
  int maxRequestedOutputs = 256;

  public SecurityOptions tls(Path cert, Path key) {
    this.useSsl = true;
    this.serverCert = cert;
    this.serverKey = key;
    return this;
  }

  /** Mutual TLS: client certificates are required and must chain to {@code root}. */
  public SecurityOptions mutualTls(Path root) {
    this.useSslMutual = true;
    this.rootCert = root;
    return this;
  }

  public SecurityOptions restrictedProtocol(String spec) {
    this.restrictedProtocols.add(spec);
    return this;
  }

  public SecurityOptions authTokenFile(Path v) {
    this.authTokenFile = v;
    return this;
  }

  public SecurityOptions allowUnauthenticatedAdmin(boolean v) {
    this.allowUnauthenticatedAdmin = v;
    return this;
  }

  public SecurityOptions maxMetadataBytes(int v) {
    this.maxMetadataBytes = v;
    return this;
  }

  public SecurityOptions maxConcurrentStreams(int v) {
    this.maxConcurrentStreams = v;
    return this;
  }

  public SecurityOptions minPingIntervalMillis(long v) {
    this.minPingIntervalMillis = v;
    return this;
  }

  public SecurityOptions maxRstFrames(int frames, int windowSeconds) {
    this.maxRstFrames = frames;
    this.rstWindowSeconds = windowSeconds;
    return this;
  }

  /** 0 keeps idle connections open. */
  public SecurityOptions maxConnectionIdleSeconds(long v) {
    this.maxConnectionIdleSeconds = v;
    return this;
  }

  /** -1 derives the cap from the open-file limit, 0 sets none. */
  public SecurityOptions maxConnections(int v) {
    this.maxConnections = v;
    return this;
  }

  /** 0 sets no limit. */
  public SecurityOptions newConnectionsPerSecond(int v) {
    this.newConnectionsPerSecond = v;
    return this;
  }

  /** 0 sets no limit. */
  public SecurityOptions totalRstFramesPerSecond(int v) {
    this.totalRstFramesPerSecond = v;
    return this;
  }

  public SecurityOptions handshakeTimeoutMillis(long v) {
    this.handshakeTimeoutMillis = v;
    return this;
  }

  public SecurityOptions maxTensorElements(long v) {
    this.maxTensorElements = v;
    return this;
  }

  public SecurityOptions maxRequestTensorBytes(long v) {
    this.maxRequestTensorBytes = v;
    return this;
  }

  public SecurityOptions maxRequestedOutputs(int v) {
    this.maxRequestedOutputs = v;
    return this;
  }

  /** Whether the port speaks TLS. */
  public boolean usesTls() {
    return useSsl || useSslMutual;
  }

  /**
   * Checks the settings together.
   *
   * @throws IllegalArgumentException naming the flag at fault
   */
  void validate() {
    if (usesTls() && (serverCert == null || serverKey == null)) {
      throw new IllegalArgumentException(
          "--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key");
    }
    if (useSslMutual && rootCert == null) {
      throw new IllegalArgumentException("--grpc-use-ssl-mutual needs --grpc-root-cert");
    }
    positive(maxMetadataBytes, "--grpc-max-metadata-bytes");
    positive(maxConcurrentStreams, "--grpc-max-concurrent-streams");
    positive(handshakeTimeoutMillis, "--grpc-handshake-timeout-ms");
    positive(maxRequestedOutputs, "--max-requested-outputs");
    positive(maxTensorElements, "--max-tensor-elements");
    positive(maxRequestTensorBytes, "--max-request-tensor-bytes");
    if (maxTensorElements > 1L << 56) {
      throw new IllegalArgumentException("--max-tensor-elements must be at most 2^56");
    }
    if (minPingIntervalMillis < 0
        || maxRstFrames < 0
        || maxConnectionIdleSeconds < 0
        || newConnectionsPerSecond < 0
        || totalRstFramesPerSecond < 0) {
      throw new IllegalArgumentException("HTTP/2 limits must not be negative");
    }
    if (maxConnections < -1) {
      throw new IllegalArgumentException(
          "--grpc-max-connections must be -1 (derived), 0 (no cap) or positive, got "
              + maxConnections);
    }
    if (maxRstFrames > 0) {
      positive(rstWindowSeconds, "--grpc-rst-window-secs");
    }
  }

  private static void positive(long v, String flag) {
    if (v <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + v);
    }
  }
}
