package io.tensorgate.server.security;

import io.grpc.ServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link SecurityOptions} to the gRPC server builder: TLS or mutual TLS, the access rules
 * of every call (restricted protocols, bearer tokens, admin closed off loopback), per-request size
 * limits and the HTTP/2 limits (concurrent streams, header size, ping and RST_STREAM floods,
 * handshake timeout, idle connections). Everything fails at start-up, never on the first call.
 */
public final class ServerHardening {
  private static final Logger log = LoggerFactory.getLogger(ServerHardening.class);

  /** Groups closed by default when the port is reachable from other hosts. */
  private static final Set<ProtocolGroup> ADMIN_GROUPS =
      EnumSet.of(ProtocolGroup.ADMIN, ProtocolGroup.MODEL_REPOSITORY);

  private final SecurityOptions options;
  private final SslContext ssl;
  private final SslContext httpSsl;
  private final AccessInterceptor access;

  private ServerHardening(
      SecurityOptions options, SslContext ssl, SslContext httpSsl, AccessInterceptor access) {
    this.options = options;
    this.ssl = ssl;
    this.httpSsl = httpSsl;
    this.access = access;
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
    return new ServerHardening(
        o,
        ssl,
        ssl == null ? null : httpSslContext(o),
        new AccessInterceptor(restricted, tokens, locked));
  }

  /** The access rules (tests check them without a network). */
  AccessInterceptor access() {
    return access;
  }

  /** Configures the gRPC server builder. */
  public void applyTo(NettyServerBuilder builder) {
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
    try {
      SslContextBuilder b = GrpcSslContexts.forServer(o.serverCert.toFile(), o.serverKey.toFile());
      if (o.rootCert != null) {
        b.trustManager(o.rootCert.toFile());
      }
      b.clientAuth(o.useSslMutual ? ClientAuth.REQUIRE : ClientAuth.NONE);
      return b.build();
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
