package io.tensorgate.client;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configures a {@link TensorgateClient}: transport security, credentials, deadlines, keep-alive and
 * retries. Plaintext is the default, as for Tensorgate's and Triton's default ports; not
 * thread-safe.
 *
 * <pre>{@code
 * TensorgateClient client = TensorgateClient.builder("inference.internal:8001")
 *     .tls(Path.of("ca.pem"))
 *     .bearerToken(System.getenv("TENSORGATE_TOKEN"))
 *     .defaultDeadline(Duration.ofSeconds(2))
 *     .retryOnUnavailable(3, Duration.ofMillis(50), Duration.ofSeconds(1))
 *     .build();
 * }</pre>
 */
public final class TensorgateClientBuilder {
  /** Services whose calls the retry policy covers: Triton's and Tensorgate's admin services. */
  static final List<String> SERVICES =
      List.of(
          "inference.GRPCInferenceService",
          "tensorgate.admin.v1.RoutingService",
          "tensorgate.admin.v1.MonitoringService");

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Pattern URI_TARGET = Pattern.compile("[a-z][a-z0-9+.-]*://[^/]*/(.*)");
  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

  private final String target;
  private final Channel channel;
  private boolean tls;
  private Path trustedCertificates;
  private Path clientCertificateChain;
  private Path clientPrivateKey;
  private String authority;
  private String bearerToken;
  private boolean tokenWithoutTls;
  private Duration defaultDeadline;
  private Duration keepAliveTime;
  private Duration keepAliveTimeout;
  private boolean keepAliveWithoutCalls;
  private int retryAttempts;
  private Duration retryInitialBackoff;
  private Duration retryMaxBackoff;
  private int maxInboundMessageBytes = 64 << 20;

  TensorgateClientBuilder(String target, Channel channel) {
    if (target == null && channel == null) {
      throw new NullPointerException("target");
    }
    if (target != null && target.isBlank()) {
      throw new IllegalArgumentException("target must not be empty");
    }
    this.target = target;
    this.channel = channel;
  }

  /** Uses TLS, trusting the JVM's default certificate authorities. */
  public TensorgateClientBuilder tls() {
    this.tls = true;
    return this;
  }

  /** Uses TLS, trusting only the CA certificates in this PEM file. */
  public TensorgateClientBuilder tls(Path trustedCertificatesPem) {
    this.tls = true;
    this.trustedCertificates =
        Objects.requireNonNull(trustedCertificatesPem, "trustedCertificates");
    return this;
  }

  /**
   * Presents a client certificate (mutual TLS): a PEM certificate chain and its PEM PKCS#8 private
   * key ({@code openssl pkcs8 -topk8 -nocrypt} converts others). Implies TLS.
   */
  public TensorgateClientBuilder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
    this.tls = true;
    this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChain");
    this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKey");
    return this;
  }

  /** The host name to check the server's certificate against, when it differs from the target's. */
  public TensorgateClientBuilder overrideAuthority(String authority) {
    this.authority = Objects.requireNonNull(authority, "authority");
    return this;
  }

  /**
   * Sends {@code authorization: Bearer <token>} with every call, as Tensorgate's {@code
   * --grpc-auth-token-file} expects. A token is only sent over TLS or to a loopback address unless
   * {@link #allowTokenWithoutTls()} says otherwise: anyone on the path could read it.
   */
  public TensorgateClientBuilder bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("a bearer token is printable ASCII without spaces");
    }
    this.bearerToken = token;
    return this;
  }

  /**
   * Allows the bearer token on a plaintext connection to a host that is not loopback (e.g. behind a
   * service mesh that encrypts the hop).
   */
  public TensorgateClientBuilder allowTokenWithoutTls() {
    this.tokenWithoutTls = true;
    return this;
  }

  /** The deadline of every call that sets none itself (none by default). */
  public TensorgateClientBuilder defaultDeadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive");
    }
    this.defaultDeadline = deadline;
    return this;
  }

  /**
   * Pings the server after {@code time} without reads, and drops the connection when no answer
   * comes within {@code timeout}. Tensorgate, like Triton, accepts pings no more often than every 5
   * minutes by default ({@code --grpc-http2-min-recv-ping-interval-without-data}) and answers
   * faster ones with GOAWAY, so match the server's setting.
   */
  public TensorgateClientBuilder keepAlive(Duration time, Duration timeout, boolean withoutCalls) {
    this.keepAliveTime = Objects.requireNonNull(time, "time");
    this.keepAliveTimeout = Objects.requireNonNull(timeout, "timeout");
    this.keepAliveWithoutCalls = withoutCalls;
    return this;
  }

  /**
   * Retries calls that fail with UNAVAILABLE (server full, draining or unreachable) up to {@code
   * maxAttempts} attempts in all, with exponential backoff between {@code initialBackoff} and
   * {@code maxBackoff} (randomized, as gRPC's retry policy does). Set through a gRPC service
   * config, so the channel also bounds the bytes it buffers for retries. Off by default. Streams
   * are retried only before their first answer.
   */
  public TensorgateClientBuilder retryOnUnavailable(
      int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    if (maxAttempts < 2) {
      throw new IllegalArgumentException("maxAttempts counts the first attempt: use >= 2");
    }
    if (initialBackoff.isNegative()
        || initialBackoff.isZero()
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
    }
    this.retryAttempts = maxAttempts;
    this.retryInitialBackoff = initialBackoff;
    this.retryMaxBackoff = maxBackoff;
    return this;
  }

  /** The largest answer accepted (64 MiB by default, Tensorgate's default request limit). */
  public TensorgateClientBuilder maxInboundMessageBytes(int bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be positive");
    }
    this.maxInboundMessageBytes = bytes;
    return this;
  }

  /**
   * The client. Makes the channel (connections open lazily on the first call).
   *
   * @throws UncheckedIOException when a certificate or key file cannot be read
   * @throws IllegalStateException when a bearer token would travel in plaintext off loopback
   */
  public TensorgateClient build() {
    if (bearerToken != null && !tls && channel == null && !tokenWithoutTls && !isLoopback(target)) {
      throw new IllegalStateException(
          "refusing to send the bearer token in plaintext to "
              + Shapes.clip(target)
              + ": use tls(...) or allowTokenWithoutTls()");
    }
    ManagedChannel owned = channel == null ? newChannel() : null;
    Channel base = owned != null ? owned : channel;
    Channel calls = base;
    if (bearerToken != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + bearerToken);
      calls =
          ClientInterceptors.intercept(base, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return new GrpcTensorgateClient(new Calls(calls, defaultDeadline), owned);
  }

  private ManagedChannel newChannel() {
    ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(target, credentials());
    b.maxInboundMessageSize(maxInboundMessageBytes).userAgent("tensorgate-client");
    if (authority != null) {
      b.overrideAuthority(authority);
    }
    if (keepAliveTime != null) {
      b.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveWithoutCalls(keepAliveWithoutCalls);
    }
    if (retryAttempts > 0) {
      b.defaultServiceConfig(retryServiceConfig()).maxRetryAttempts(retryAttempts).enableRetry();
    }
    return b.build();
  }

  private ChannelCredentials credentials() {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (trustedCertificates != null) {
        b.trustManager(trustedCertificates.toFile());
      }
      if (clientCertificateChain != null) {
        b.keyManager(clientCertificateChain.toFile(), clientPrivateKey.toFile());
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a TLS certificate or key: " + e.getMessage(), e);
    }
  }

  /** The retry policy as a gRPC service config (JSON numbers are doubles there). */
  Map<String, Object> retryServiceConfig() {
    List<Map<String, Object>> names =
        SERVICES.stream().map(s -> Map.<String, Object>of("service", s)).toList();
    Map<String, Object> policy =
        Map.of(
            "maxAttempts", (double) retryAttempts,
            "initialBackoff", seconds(retryInitialBackoff),
            "maxBackoff", seconds(retryMaxBackoff),
            "backoffMultiplier", 2.0,
            "retryableStatusCodes", List.of("UNAVAILABLE"));
    return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", policy)));
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.9fs", d.toNanos() / 1e9);
  }

  /**
   * Whether a target names a loopback host literally (no name lookup): {@code localhost:8001},
   * {@code 127.0.0.1:8001}, {@code [::1]:8001}, {@code dns:///localhost:8001}, or a Unix socket.
   */
  static boolean isLoopback(String target) {
    if (target.startsWith("unix:")) {
      return true;
    }
    String hostPort = target;
    Matcher uri = URI_TARGET.matcher(target);
    if (uri.matches()) {
      hostPort = uri.group(1);
    }
    String host;
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      host = end < 0 ? hostPort : hostPort.substring(1, end);
    } else {
      int colon = hostPort.lastIndexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    }
    return host.equals("localhost") || host.equals("::1") || IPV4_LOOPBACK.matcher(host).matches();
  }
}
