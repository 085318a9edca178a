package io.tensorgate.server.security;

import io.grpc.ServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tensorgate.server.logging.ClientFaults;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link SecurityOptions} to the gRPC server builder: TLS or mutual TLS, the access rules
 * of every call (restricted protocols, bearer tokens, admin closed off loopback), per-request size
 * limits, the HTTP/2 limits (concurrent streams, header size, ping and RST_STREAM floods, handshake
 * timeout, idle connections) and the server-wide connection limits ({@link ConnectionLimits}).
 * Everything fails at start-up, never on the first call.
 */
public final class ServerHardening implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerHardening.class);

  /** Groups closed by default when the port is reachable from other hosts. */
  private static final Set<ProtocolGroup> ADMIN_GROUPS =
      EnumSet.of(ProtocolGroup.ADMIN, ProtocolGroup.MODEL_REPOSITORY);

  private final SecurityOptions options;
  private final SslContext ssl;
  private final SslContext httpSsl;
  private final AccessInterceptor access;
  private final Predicate<String> secrets;
  private final ConnectionLimits connections;
  private final Callers callers;

  private ServerHardening(
      SecurityOptions options,
      SslContext ssl,
      SslContext httpSsl,
      AccessInterceptor access,
      Predicate<String> secrets,
      ConnectionLimits connections,
      Callers callers) {
    this.options = options;
    this.callers = callers;
    this.ssl = ssl;
    this.httpSsl = httpSsl;
    this.access = access;
    this.secrets = secrets;
    this.connections = connections;
  }

  /**
   * Checks the settings and reads certificates, keys and tokens, before the server starts anything.
   *
   * @param grpcAddress the address gRPC will be bound to; off loopback, plaintext is warned about
   *     and the admin groups are closed unless a token protects them
   * @throws IOException when a certificate, key or token file cannot be read
   * @throws IllegalArgumentException for settings that do not fit together
   */
  public static ServerHardening prepare(SecurityOptions o, InetAddress grpcAddress)
      throws IOException {
    return prepare(o, grpcAddress, new ClientFaults());
  }

  /**
   * As {@link #prepare(SecurityOptions, InetAddress)}, recording refused connections and reset
   * floods in {@code faults}.
   */
  public static ServerHardening prepare(
      SecurityOptions o, InetAddress grpcAddress, ClientFaults faults) throws IOException {
    o.validate();
    boolean loopback = grpcAddress.isLoopbackAddress();
    SslContext ssl = o.usesTls() ? sslContext(o) : null;
    if (ssl == null && !loopback) {
      log.warn(
          "gRPC is bound to {} without TLS: traffic and tokens cross the network in clear text;"
              + " use --grpc-use-ssl",
          grpcAddress.getHostAddress());
    }
    RestrictedProtocols restricted = RestrictedProtocols.parse(o.restrictedProtocols);
    TokenFile tokens = TokenFile.none();
    if (o.authTokenFile != null) {
      warnIfReadableByOthers(o.authTokenFile);
      tokens = TokenFile.read(o.authTokenFile);
    }
    Set<ProtocolGroup> locked = EnumSet.noneOf(ProtocolGroup.class);
    if (!loopback && !o.allowUnauthenticatedAdmin) {
      for (ProtocolGroup g : ADMIN_GROUPS) {
        if (!tokens.protects(g) && !restricted.restricts(g)) {
          locked.add(g);
        }
      }
      if (!locked.isEmpty()) {
        log.warn(
            "gRPC is bound to {} and no token protects {}: those calls are refused until"
                + " --grpc-auth-token-file or --grpc-restricted-protocol covers them",
            grpcAddress.getHostAddress(),
            locked.stream().map(ProtocolGroup::flagName).toList());
      }
    }
    Set<ProtocolGroup> writeLocked = EnumSet.noneOf(ProtocolGroup.class);
    String writeLockReason = "";
    if (o.authTokenFile != null || (!loopback && !o.allowUnauthenticatedAdmin)) {
      writeLockReason = o.authTokenFile != null ? "once a token file is given" : "off loopback";
      for (ProtocolGroup g : ProtocolGroup.values()) {
        if (!tokens.protects(g) && !restricted.restricts(g)) {
          writeLocked.add(g);
        }
      }
      log.info(
          "calls that change server state are refused for {}: no rule names them",
          writeLocked.stream().map(ProtocolGroup::flagName).toList());
    }
    TokenFile t = tokens;
    return new ServerHardening(
        o,
        ssl,
        ssl == null ? null : httpSslContext(o),
        new AccessInterceptor(restricted, tokens, locked, writeLocked, writeLockReason),
        s -> t.isToken(s) || restricted.isValue(s),
        connectionLimits(o, faults),
        new Callers(tokens, restricted));
  }

  private static ConnectionLimits connectionLimits(SecurityOptions o, ClientFaults faults) {
    int max =
        o.maxConnections >= 0
            ? o.maxConnections
            : ConnectionLimits.defaultMaxConnections(ConnectionLimits.openFileLimit());
    ConnectionLimits limits =
        new ConnectionLimits(
            max,
            o.newConnectionsPerSecond > 0
                ? new TokenBucket(o.newConnectionsPerSecond, System::nanoTime)
                : null,
            o.totalRstFramesPerSecond > 0
                ? new ResetBudget(
                    new TokenBucket(o.totalRstFramesPerSecond, System::nanoTime), faults)
                : null,
            faults);
    log.info(
        "gRPC connections: at most {} open, {} new a second, {} stream resets a second in all",
        max == 0 ? "unlimited" : max,
        o.newConnectionsPerSecond == 0 ? "unlimited" : o.newConnectionsPerSecond,
        o.totalRstFramesPerSecond == 0 ? "unlimited" : o.totalRstFramesPerSecond);
    return limits;
  }

  /** The gRPC transport's worker event loops, made by {@link #applyTo}. */
  public EventLoopGroup transportLoops() {
    return connections.workers();
  }

  /** Registers the connection gauge. */
  public void bindTo(MeterRegistry registry) {
    connections.bindTo(registry);
  }

  /** Shuts down the gRPC event loops; call after the gRPC server terminated. */
  @Override
  public void close() {
    connections.close();
  }

  /**
   * Whether a word is one of the server's secrets (a token of the token file or a restricted
   * protocol's header value): the log redacts such words.
   */
  public Predicate<String> secrets() {
    return secrets;
  }

  /** Who calls: token rule names, certificate subjects, peers (for the audit trail). */
  public Callers callers() {
    return callers;
  }

  /** The access rules (tests check them without a network). */
  AccessInterceptor access() {
    return access;
  }

  /**
   * Configures the gRPC server builder, including its server channel and event loops.
   *
   * @param workerThreads transport threads, 0 for Netty's default
   * @param reusePort bind with {@code SO_REUSEPORT}
   */
  public void applyTo(NettyServerBuilder builder, int workerThreads, boolean reusePort) {
    SecurityOptions o = options;
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    interceptCalls(builder);
    builder
        .maxInboundMetadataSize(o.maxMetadataBytes)
        .maxConcurrentCallsPerConnection(o.maxConcurrentStreams)
        .permitKeepAliveTime(o.minPingIntervalMillis, TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(o.permitKeepaliveWithoutCalls)
        .handshakeTimeout(o.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    if (o.maxRstFrames > 0) {
      builder.maxRstFramesPerWindow(o.maxRstFrames, o.rstWindowSeconds);
    }
    if (o.maxConnectionIdleSeconds > 0) {
      builder.maxConnectionIdle(o.maxConnectionIdleSeconds, TimeUnit.SECONDS);
    }
    connections.applyTo(builder, workerThreads, reusePort);
  }

  /**
   * The per-call rules alone (access, then request limits), for a server that shares the gRPC
   * port's services without its transport: the HTTP endpoint's in-process server.
   */
  public void interceptCalls(ServerBuilder<?> builder) {
    SecurityOptions o = options;
    // Interceptors run last-added first: access is checked before sizes are looked at.
    builder
        .intercept(
            new RequestLimitInterceptor(
                o.maxTensorElements, o.maxRequestTensorBytes, o.maxRequestedOutputs))
        .intercept(access);
  }

  /**
   * For the HTTP endpoint's server channel: admits a new connection under the same cap and rate as
   * gRPC's ({@code --grpc-max-connections}, {@code --grpc-new-connections-per-sec}, counted
   * together), closing it at once otherwise.
   */
  public ChannelHandler httpConnectionAdmission() {
    return connections.httpAdmission();
  }

  /**
   * TLS for the HTTP endpoint with the gRPC port's certificate, key and client-certificate rule,
   * speaking HTTP/1.1; {@code null} when the gRPC port is plaintext.
   */
  public SslContext httpSslContext() {
    return httpSsl;
  }

  private static SslContext httpSslContext(SecurityOptions o) throws IOException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(o.serverCert.toFile(), o.serverKey.toFile());
      if (o.rootCert != null) {
        b.trustManager(o.rootCert.toFile());
      }
      return b.clientAuth(o.useSslMutual ? ClientAuth.REQUIRE : ClientAuth.NONE).build();
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot set up TLS for HTTP: " + e.getMessage(), e);
    }
  }

  private static SslContext sslContext(SecurityOptions o) throws IOException {
    SslContext ssl;
    try {
      SslContextBuilder b = GrpcSslContexts.forServer(o.serverCert.toFile(), o.serverKey.toFile());
      if (o.rootCert != null) {
        b.trustManager(o.rootCert.toFile());
      }
      b.clientAuth(o.useSslMutual ? ClientAuth.REQUIRE : ClientAuth.NONE);
      ssl = b.build();
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot set up TLS from --grpc-server-cert "
              + o.serverCert
              + " and --grpc-server-key "
              + o.serverKey
              + " (keys must be PEM PKCS#8): "
              + e.getMessage(),
          e);
    }
    KeyPairCheck.verify(o.serverCert, o.serverKey);
    return ssl;
  }

  private static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("token file {} is readable by every user; chmod 600 it", file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system, or unreadable: reading it next reports the real problem.
    }
  }
}
