package io.tensorgate.server;

import io.tensorgate.server.grpc.InflightBudget;
import io.tensorgate.server.http.HttpOptions;
import io.tensorgate.server.logging.LogControl;
import io.tensorgate.server.repository.BackendRegistry;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.repository.RepositorySettings;
import io.tensorgate.server.route.Routing;
import io.tensorgate.server.route.RoutingOptions;
import io.tensorgate.server.security.SecurityOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Settings of a server; defaults follow Triton's where Triton has one. */
public final class TensorgateServerBuilder {
  Path modelRepository = Path.of("models");
  ControlMode controlMode = ControlMode.NONE;
  List<String> loadModels = List.of();
  long pollSeconds = 15;
  String grpcAddress = "127.0.0.1";
  int grpcPort = 8001;
  Duration exitTimeout = Duration.ofSeconds(30);
  Duration executionTimeout = Duration.ofSeconds(300);
  Duration maxQueueWait = Duration.ofSeconds(1);
  Path shmRoot = Path.of("/dev/shm");
  int maxMessageBytes = 64 << 20;
  long maxInflightRequestBytes;
  LogControl logControl;
  BackendRegistry backends;
  ObservabilityOptions observability = new ObservabilityOptions();
  RoutingOptions routing = new RoutingOptions();
  SecurityOptions security = new SecurityOptions();
  GovernanceOptions governance = new GovernanceOptions();
  HttpOptions http;
  boolean allowGrpc = true;
  GrpcTransportOptions transport = new GrpcTransportOptions();
  RepositorySettings repositorySettings = RepositorySettings.DEFAULTS;
  String serverId = "triton";
  boolean exitOnError;
  boolean strictReadiness = true;
  boolean allowClientSharedMemory = true;

  TensorgateServerBuilder() {}

  /** Triton's {@code --allow-grpc}: false serves HTTP only (given {@link #http}). */
  public TensorgateServerBuilder allowGrpc(boolean v) {
    this.allowGrpc = v;
    return this;
  }

  /**
   * The HTTP/REST endpoint; without this call a server built in code serves gRPC only (the command
   * line turns HTTP on by default, as Triton).
   */
  public TensorgateServerBuilder http(HttpOptions v) {
    this.http = Objects.requireNonNull(v, "http");
    return this;
  }

  /** Keepalive, connection age, handler threads, port reuse, compression; see the class. */
  public TensorgateServerBuilder transport(GrpcTransportOptions v) {
    this.transport = Objects.requireNonNull(v, "transport");
    return this;
  }

  /** How configurations are read and completed and how models load; Triton's defaults. */
  public TensorgateServerBuilder repositorySettings(RepositorySettings v) {
    this.repositorySettings = Objects.requireNonNull(v, "repositorySettings");
    return this;
  }

  /** The name ServerMetadata reports (Triton's {@code --id}); default {@code triton}. */
  public TensorgateServerBuilder serverId(String v) {
    this.serverId = Objects.requireNonNull(v, "serverId");
    return this;
  }

  /**
   * Whether {@link #start()} fails when a start-up model fails to load (Triton's {@code
   * --exit-on-error}, which the command line defaults to true). Default here: false, the others
   * serve and the failure is listed in RepositoryIndex.
   */
  public TensorgateServerBuilder exitOnError(boolean v) {
    this.exitOnError = v;
    return this;
  }

  /**
   * Triton's {@code --strict-readiness} (default true): ServerReady and the health service say
   * ready only while every model a load was asked for is available.
   */
  public TensorgateServerBuilder strictReadiness(boolean v) {
    this.strictReadiness = v;
    return this;
  }

  /** Triton's {@code --allow-client-shm}: whether clients may register shared memory. */
  public TensorgateServerBuilder allowClientSharedMemory(boolean v) {
    this.allowClientSharedMemory = v;
    return this;
  }

  /** TLS, tokens, request and HTTP/2 limits; see {@link SecurityOptions}. */
  public TensorgateServerBuilder security(SecurityOptions v) {
    this.security = Objects.requireNonNull(v, "security");
    return this;
  }

  /** Signed models, the audit trail and cost accounting; see {@link GovernanceOptions}. */
  public TensorgateServerBuilder governance(GovernanceOptions v) {
    this.governance = Objects.requireNonNull(v, "governance");
    return this;
  }

  /** Metrics, payload logs, drift queues and tracing; see {@link ObservabilityOptions}. */
  public TensorgateServerBuilder observability(ObservabilityOptions v) {
    this.observability = Objects.requireNonNull(v, "observability");
    return this;
  }

  /** Labels, canary, shadow, rollouts and the admin RoutingService; see {@link Routing}. */
  public TensorgateServerBuilder routing(RoutingOptions v) {
    this.routing = Objects.requireNonNull(v, "routing");
    return this;
  }

  /** Shorthand for the metrics port of {@link #observability}; 0 picks a free port. */
  public TensorgateServerBuilder metricsPort(int v) {
    this.observability.metricsPort(v);
    return this;
  }

  public TensorgateServerBuilder modelRepository(Path v) {
    this.modelRepository = Objects.requireNonNull(v, "modelRepository");
    return this;
  }

  public TensorgateServerBuilder controlMode(ControlMode v) {
    this.controlMode = Objects.requireNonNull(v, "controlMode");
    return this;
  }

  public TensorgateServerBuilder loadModels(List<String> v) {
    this.loadModels = List.copyOf(v);
    return this;
  }

  public TensorgateServerBuilder pollSeconds(long v) {
    this.pollSeconds = v;
    return this;
  }

  public TensorgateServerBuilder grpcAddress(String v) {
    this.grpcAddress = Objects.requireNonNull(v, "grpcAddress");
    return this;
  }

  /** 0 picks a free port. */
  public TensorgateServerBuilder grpcPort(int v) {
    this.grpcPort = v;
    return this;
  }

  public TensorgateServerBuilder exitTimeout(Duration v) {
    this.exitTimeout = Objects.requireNonNull(v, "exitTimeout");
    return this;
  }

  /**
   * How long one batch may execute before its instance counts as hung: the batch fails with
   * INTERNAL and a new instance takes its place. {@link Duration#ZERO} turns the watchdog off.
   */
  public TensorgateServerBuilder executionTimeout(Duration v) {
    this.executionTimeout = Objects.requireNonNull(v, "executionTimeout");
    return this;
  }

  /**
   * The queue wait admitted requests should stay within: a request whose predicted wait (from each
   * version's measured time per request) exceeds 3/4 of it is refused at once with UNAVAILABLE; a
   * request's sooner deadline bounds it too. {@link Duration#ZERO} turns this off. Default 1 s.
   */
  public TensorgateServerBuilder maxQueueWait(Duration v) {
    this.maxQueueWait = Objects.requireNonNull(v, "maxQueueWait");
    return this;
  }

  public TensorgateServerBuilder sharedMemoryRoot(Path v) {
    this.shmRoot = Objects.requireNonNull(v, "shmRoot");
    return this;
  }

  public TensorgateServerBuilder maxMessageBytes(int v) {
    this.maxMessageBytes = v;
    return this;
  }

  /**
   * The most bytes inference requests in flight may hold once decoded, together (one request
   * included); 0 (the default) means {@link InflightBudget#defaultLimit()}.
   */
  public TensorgateServerBuilder maxInflightRequestBytes(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("--max-inflight-request-bytes must be >= 0, got " + v);
    }
    this.maxInflightRequestBytes = v;
    return this;
  }

  public TensorgateServerBuilder logControl(LogControl v) {
    this.logControl = v;
    return this;
  }

  /** The backends to use instead of those found on the class path (tests). */
  public TensorgateServerBuilder backends(BackendRegistry v) {
    this.backends = v;
    return this;
  }

  public TensorgateServer build() {
    return new TensorgateServer(this);
  }

  boolean httpEnabled() {
    return http != null && http.enabled();
  }

  /** The address access rules are decided for: a non-loopback one if HTTP or gRPC has one. */
  InetAddress exposedAddress() throws IOException {
    InetAddress grpc = InetAddress.getByName(grpcAddress);
    if (httpEnabled()) {
      InetAddress httpAddress = InetAddress.getByName(http.bindAddress(grpcAddress));
      if (grpc.isLoopbackAddress() && !httpAddress.isLoopbackAddress()) {
        return httpAddress;
      }
    }
    return grpc;
  }
}
