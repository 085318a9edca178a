package io.tensorgate.server;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.GpuMonitor;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.server.grpc.EventLoops;
import io.tensorgate.server.grpc.InferenceService;
import io.tensorgate.server.grpc.InflightBudget;
import io.tensorgate.server.grpc.OpenCalls;
import io.tensorgate.server.grpc.ParseGuard;
import io.tensorgate.server.grpc.RequestDecompressors;
import io.tensorgate.server.grpc.ServerIdentity;
import io.tensorgate.server.grpc.StatusGuard;
import io.tensorgate.server.logging.LogControl;
import io.tensorgate.server.repository.BackendRegistry;
import io.tensorgate.server.repository.ModelRepositoryManager;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.repository.RepositoryLayout;
import io.tensorgate.server.route.Routing;
import io.tensorgate.server.security.ServerHardening;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tensorgate: the model repository manager and the gRPC server (inference service,
 * health, reflection) on one port. Built with {@link #builder()}; {@link #start()} returns once the
 * start-up models are loaded and the port is bound.
 */
public final class TensorgateServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TensorgateServer.class);

  /** The health service names reported: the whole server and the inference service. */
  private static final List<String> HEALTH_SERVICES =
      List.of("", GRPCInferenceServiceGrpc.SERVICE_NAME);

  private static final long TERMINATION_WAIT_SECONDS = 5;

  private final TensorgateServerBuilder config;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final HealthStatusManager health = new HealthStatusManager();
  private final OpenCalls openCalls = new OpenCalls();
  private ModelRepositoryManager manager;
  private BackendRegistry backends;
  private SharedMemoryRegistry shm;
  private Observability observability;
  private Governance governance;
  private Routing routing;
  private ExecutorService blockingExecutor;
  private Readiness readiness;
  private ServerHardening hardening;
  private Server grpc;
  private HttpEndpoint http;

  TensorgateServer(TensorgateServerBuilder b) {
    this.config = b;
  }

  public static TensorgateServerBuilder builder() {
    return new TensorgateServerBuilder();
  }

  /** The version this build reports in ServerMetadata. */
  public static String version() {
    String v = TensorgateServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * Loads the start-up models, binds the port and starts serving.
   *
   * @throws IOException when the repository cannot be read or the port cannot be bound
   * @throws InferenceException with {@link TensorgateServerBuilder#exitOnError}, when a start-up
   *     model fails to load (the message names the model and why)
   */
  public TensorgateServer start() throws IOException, InferenceException {
    LogControl logControl = config.logControl != null ? config.logControl : new LogControl(0);
    // Bad TLS, token or limit settings fail here, before anything is started.
    if (!config.allowGrpc && !config.httpEnabled()) {
      throw new IllegalArgumentException("neither gRPC nor HTTP is enabled: nothing to serve");
    }
    hardening =
        ServerHardening.prepare(
            config.security, config.exposedAddress(), logControl.clientFaults());
    logControl.redactSecrets(hardening.secrets());
    config.transport.validate();
    governance = Governance.prepare(config.governance);
    backends = config.backends != null ? config.backends : BackendRegistry.discover();
    RepositoryLayout layout = new RepositoryLayout(config.modelRepository);
    manager =
        new ModelRepositoryManager(
            layout,
            backends,
            config.controlMode,
            config.executionTimeout,
            config.maxQueueWait,
            config.repositorySettings,
            governance.verifier(),
            governance.costAccounting());
    manager.removeLeftoverOverrides();
    readiness = new Readiness(config.strictReadiness, manager, health, HEALTH_SERVICES);
    // Before any load: the side paths must see every version enter service.
    observability =
        Observability.start(config.observability, manager.registry(), config.grpcAddress);
    governance.bind(observability.meterRegistry(), manager.registry());
    loadStartupModels();

    blockingExecutor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "tensorgate-blocking");
              t.setDaemon(true);
              return t;
            });
    shm = new SharedMemoryRegistry(config.shmRoot, backends.cudaSharedMemory());
    routing =
        Routing.start(
            config.routing.costPrices(governance.prices()),
            manager.registry(),
            layout.root(),
            meterRegistry(),
            shm,
            config.controlMode == ControlMode.POLL ? config.pollSeconds : 0,
            governance.audit());
    logControl.clientFaults().bindTo(meterRegistry());
    hardening.bindTo(meterRegistry());
    ParseGuard parseGuard = new ParseGuard(logControl.clientFaults());
    EventLoops loops = new EventLoops();
    InferenceService service =
        new InferenceService(
            new ServerIdentity(config.serverId, version()),
            readiness,
            manager,
            shm,
            logControl,
            blockingExecutor,
            routing.router(),
            routing.observers(observability.observers()),
            observability.traceSettingRpc(),
            inflightBudget(),
            loops);

    List<ServerServiceDefinition> services =
        ServedServices.of(
            service,
            parseGuard,
            observability,
            health,
            readiness::refresh,
            routing.service(),
            governance.service(manager.registry()),
            config.allowClientSharedMemory);
    try {
      if (config.allowGrpc) {
        InetSocketAddress address =
            new InetSocketAddress(InetAddress.getByName(config.grpcAddress), config.grpcPort);
        NettyServerBuilder netty = NettyServerBuilder.forAddress(address);
        netty
            .maxInboundMessageSize(config.maxMessageBytes)
            .decompressorRegistry(RequestDecompressors.registry());
        calls(netty, services);
        hardening.applyTo(netty, config.transport.handlerThreads(), config.transport.reusePort());
        loops.use(hardening.transportLoops());
        config.transport.applyTo(netty);
        netty.intercept(governance.auditInterceptor(hardening.callers()));
        // Added last, so it wraps every other interceptor: no status leaves unchecked.
        netty.intercept(new StatusGuard());
        grpc = netty.build().start();
      }
      if (config.httpEnabled()) {
        // HTTP calls the same services, with the same per-call rules, in process.
        http =
            HttpEndpoint.start(
                config.http,
                config.grpcAddress,
                hardening.httpSslContext(),
                hardening.httpConnectionAdmission(),
                b -> {
                  calls(b, services);
                  hardening.interceptCalls(b);
                  b.intercept(governance.auditInterceptor(hardening.callers()));
                  b.intercept(new StatusGuard());
                },
                services,
                inflightLimit());
        if (grpc == null) {
          // HTTP only: the in-process server is the one every call goes through.
          grpc = http.calls();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (grpc != null) {
        grpc.shutdownNow();
      }
      hardening.close();
      governance.close();
      throw e;
    }
    manager.startPolling(config.pollSeconds, new BackgroundThreads(meterRegistry()));
    log.info(manager.registry().describe());
    readiness.start();
    if (config.allowGrpc) {
      log.info("Started GRPCInferenceService at {}:{}", config.grpcAddress, port());
    }
    return this;
  }

  /**
   * Loads the start-up models; with {@link TensorgateServerBuilder#exitOnError}, a failure stops
   * the start-up with one line naming the model and why, after everything started so far is closed
   * again.
   */
  private void loadStartupModels() throws IOException, InferenceException {
    SortedMap<String, String> failures;
    try {
      failures = manager.loadStartupModels(config.loadModels);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while loading the start-up models", e);
    }
    if (failures.isEmpty() || !config.exitOnError) {
      return;
    }
    manager.close();
    observability.close();
    governance.close();
    backends.gpuMonitor().ifPresent(GpuMonitor::close);
    String first = failures.get(failures.firstKey());
    throw new InferenceException(
        ErrorCode.INTERNAL,
        first
            + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more models)" : "")
            + "; --exit-on-error=false serves the other models");
  }

  /** What every server of these services does per call: the same on gRPC's port and in process. */
  private void calls(ServerBuilder<?> b, List<ServerServiceDefinition> services) {
    // Handlers never block (loads are offloaded), so they run on the transport threads
    // and save a thread hop per request.
    b.directExecutor().intercept(openCalls);
    services.forEach(b::addService);
  }

  /** {@code --max-inflight-request-bytes}, or its default. */
  private long inflightLimit() {
    return config.maxInflightRequestBytes > 0
        ? config.maxInflightRequestBytes
        : InflightBudget.defaultLimit();
  }

  private InflightBudget inflightBudget() {
    InflightBudget budget = new InflightBudget(inflightLimit());
    budget.bindTo(meterRegistry());
    return budget;
  }

  /** The bound gRPC port (useful with port 0), or -1 when gRPC is off. */
  public int port() {
    return grpc.getPort();
  }

  public ModelRepositoryManager repository() {
    return manager;
  }

  /** The backends in use, e.g. for their {@link BackendRegistry#gpuMonitor()}; set by start(). */
  public BackendRegistry backends() {
    return backends;
  }

  /**
   * The metrics registry served on /metrics: the registration point for features' own meters
   * (canary, shadow, divergence). Create meters once and cache them; never per request.
   */
  public MeterRegistry meterRegistry() {
    return observability.meterRegistry();
  }

  /** The bound HTTP port (useful with port 0), or -1 when HTTP is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /**
   * The gRPC calls open right now; a cancelled call leaves the count once the server has seen the
   * cancellation.
   */
  public OpenCalls openCalls() {
    return openCalls;
  }

  /** The bound metrics port (useful with port 0), or -1 when metrics are off. */
  public int metricsPort() {
    return observability.metricsPort();
  }

  /** ServerReady's answer: serving and, under strict readiness, every model available. */
  public boolean isReady() {
    return readiness != null && readiness.ready();
  }

  /**
   * Graceful shutdown, as on SIGTERM: readiness goes false, new calls are refused, in-flight and
   * queued requests finish (up to the exit timeout), then models unload. Idempotent.
   */
  public void shutdown() {
    shutdown(false);
  }

  /**
   * The shutdown of a process about to exit on a signal, as Triton's: {@link #shutdown()}, except
   * that when the exit timeout passes with requests still in flight, models are left loaded (the
   * caller exits at once, as Triton exits 1 without waiting further). Idempotent.
   *
   * @return true when every accepted request was answered in time and everything was closed
   */
  public boolean shutdownForExit() {
    return shutdown(true);
  }

  private boolean shutdown(boolean leaveWhenLate) {
    if (!stopping.compareAndSet(false, true) || grpc == null) {
      return true;
    }
    readiness.stop();
    long deadline = System.nanoTime() + config.exitTimeout.toNanos();
    grpc.shutdown();
    if (http != null) {
      http.drain();
    }
    // Answered HTTP requests count until their responses are written.
    boolean drained =
        new GracefulDrain(
                grpc,
                openCalls,
                () -> manager.registry().inFlight() + (http == null ? 0 : http.openRequests()))
            .await(deadline);
    grpc.shutdownNow();
    if (http != null) {
      http.close();
    }
    try {
      // After shutdownNow the transports close at once; the bound only guards a stuck one.
      grpc.awaitTermination(TERMINATION_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!drained && leaveWhenLate) {
      log.warn("exit timeout expired: exiting without unloading models");
      // The audit trail is flushed whatever else is left behind.
      governance.close();
      return false;
    }
    hardening.close();
    routing.close();
    manager.close();
    shm.cuda().closeAll();
    backends.gpuMonitor().ifPresent(GpuMonitor::close);
    observability.close();
    governance.close();
    blockingExecutor.shutdownNow();
    log.info("server stopped");
    return drained;
  }

  /** Blocks until the gRPC server terminated. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() {
    shutdown();
  }
}
