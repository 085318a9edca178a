package io.tensorgate.server;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.epoll.Epoll;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * Triton's gRPC transport flags that Tensorgate honours beyond the security limits of {@code
 * SecurityOptions}: server keepalive pings, connection age, ping strikes, handler threads, port
 * reuse and response compression. A picocli mixin of the {@code tensorgate} command and, through
 * its setters, the programmatic settings of a server. Defaults are Triton's.
 */
public final class GrpcTransportOptions {
  /** Ping strikes grpc-java's keepalive enforcer allows before GOAWAY; not configurable there. */
  static final int GRPC_JAVA_PING_STRIKES = 2;

  @Option(
      names = "--grpc-keepalive-time",
      paramLabel = "<ms>",
      description =
          "Triton's: the period, in ms, after which the server pings an idle connection"
              + " (default: ${DEFAULT-VALUE}).")
  long keepaliveTimeMillis = 7_200_000;

  @Option(
      names = "--grpc-keepalive-timeout",
      paramLabel = "<ms>",
      description =
          "Triton's: how long, in ms, the server waits for a ping's acknowledgement before it"
              + " closes the connection (default: ${DEFAULT-VALUE}).")
  long keepaliveTimeoutMillis = 20_000;

  @Option(
      names = "--grpc-http2-max-ping-strikes",
      paramLabel = "<n>",
      description =
          "Triton's: bad client pings tolerated before GOAWAY. grpc-java counts exactly 2;"
              + " 0 accepts any number of pings (default: ${DEFAULT-VALUE}).")
  int maxPingStrikes = GRPC_JAVA_PING_STRIKES;

  @Option(
      names = "--grpc-http2-max-pings-without-data",
      paramLabel = "<n>",
      description =
          "Triton's: pings the server may send without data. Accepted; grpc-java sends one"
              + " keepalive ping per --grpc-keepalive-time (default: ${DEFAULT-VALUE}).")
  int maxPingsWithoutData = 2;

  @Option(
      names = "--grpc-max-connection-age",
      paramLabel = "<ms>",
      description = "Triton's: the longest a connection may live, in ms (default: no limit).")
  long maxConnectionAgeMillis;

  @Option(
      names = "--grpc-max-connection-age-grace",
      paramLabel = "<ms>",
      description =
          "Triton's: how long calls may finish, in ms, once a connection reached its age"
              + " (default: no limit).")
  long maxConnectionAgeGraceMillis;

  @Option(
      names = "--grpc-infer-thread-count",
      paramLabel = "<n>",
      description =
          "Triton's: threads that handle gRPC calls (Netty event loops; requests are decoded and"
              + " queued on them), 2 to 128 (default: Netty's, two per core).")
  int handlerThreads;

  @Option(
      names = "--reuse-grpc-port",
      arity = "0..1",
      description =
          "Triton's: let several servers listen on the same gRPC port (SO_REUSEPORT, Linux)"
              + " (default: false).")
  boolean reusePort;

  @Option(
      names = "--grpc-infer-response-compression-level",
      paramLabel = "<level>",
      description =
          "Triton's: none, low, medium or high. Any level but none gzips inference responses for"
              + " clients that accept gzip (default: ${DEFAULT-VALUE}).")
  String responseCompression = "none";

  public GrpcTransportOptions keepalive(long timeMillis, long timeoutMillis) {
    this.keepaliveTimeMillis = timeMillis;
    this.keepaliveTimeoutMillis = timeoutMillis;
    return this;
  }

  public GrpcTransportOptions maxPingStrikes(int v) {
    this.maxPingStrikes = v;
    return this;
  }

  public GrpcTransportOptions maxConnectionAge(long ageMillis, long graceMillis) {
    this.maxConnectionAgeMillis = ageMillis;
    this.maxConnectionAgeGraceMillis = graceMillis;
    return this;
  }

  /** Transport threads, 0 for Netty's default. */
  int handlerThreads() {
    return handlerThreads;
  }

  /** Whether the port is bound with {@code SO_REUSEPORT}. */
  boolean reusePort() {
    return reusePort;
  }

  public GrpcTransportOptions handlerThreads(int v) {
    this.handlerThreads = v;
    return this;
  }

  public GrpcTransportOptions reusePort(boolean v) {
    this.reusePort = v;
    return this;
  }

  public GrpcTransportOptions responseCompression(String level) {
    this.responseCompression = level;
    return this;
  }

  /**
   * Checks the settings.
   *
   * @throws IllegalArgumentException naming the flag at fault
   */
  void validate() {
    positive(keepaliveTimeMillis, "--grpc-keepalive-time");
    positive(keepaliveTimeoutMillis, "--grpc-keepalive-timeout");
    if (maxPingStrikes != 0 && maxPingStrikes != GRPC_JAVA_PING_STRIKES) {
      throw new IllegalArgumentException(
          "--grpc-http2-max-ping-strikes: grpc-java closes a connection after exactly "
              + GRPC_JAVA_PING_STRIKES
              + " bad pings; only 0 (no limit) or "
              + GRPC_JAVA_PING_STRIKES
              + " can be honoured, got "
              + maxPingStrikes);
    }
    if (maxPingsWithoutData < 0) {
      throw new IllegalArgumentException(
          "--grpc-http2-max-pings-without-data must not be negative, got " + maxPingsWithoutData);
    }
    if (maxConnectionAgeMillis < 0 || maxConnectionAgeGraceMillis < 0) {
      throw new IllegalArgumentException(
          "--grpc-max-connection-age and --grpc-max-connection-age-grace must not be negative");
    }
    if (handlerThreads != 0 && (handlerThreads < 2 || handlerThreads > 128)) {
      throw new IllegalArgumentException(
          "--grpc-infer-thread-count must be in the range 2 to 128, got " + handlerThreads);
    }
    if (reusePort && !Epoll.isAvailable()) {
      throw new IllegalArgumentException(
          "--reuse-grpc-port needs Linux epoll, which is not available here: "
              + Epoll.unavailabilityCause().getMessage());
    }
    compresses();
  }

  private boolean compresses() {
    switch (responseCompression.toLowerCase(Locale.ROOT)) {
      case "none":
        return false;
      case "low":
      case "medium":
      case "high":
        return true;
      default:
        throw new IllegalArgumentException(
            "--grpc-infer-response-compression-level must be none, low, medium or high, got '"
                + responseCompression
                + "'");
    }
  }

  private static void positive(long v, String flag) {
    if (v <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + v);
    }
  }

  /**
   * Configures the server builder; call after the security limits, which this may relax (ping
   * strikes 0 accepts any ping). The event loops (sized by {@link #handlerThreads()}) and {@code
   * SO_REUSEPORT} are set by the server's connection limits, which own the server channel.
   */
  void applyTo(NettyServerBuilder builder) {
    builder
        .keepAliveTime(keepaliveTimeMillis, TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepaliveTimeoutMillis, TimeUnit.MILLISECONDS);
    if (maxPingStrikes == 0) {
      builder.permitKeepAliveTime(0, TimeUnit.MILLISECONDS).permitKeepAliveWithoutCalls(true);
    }
    if (maxConnectionAgeMillis > 0) {
      builder.maxConnectionAge(maxConnectionAgeMillis, TimeUnit.MILLISECONDS);
    }
    if (maxConnectionAgeGraceMillis > 0) {
      builder.maxConnectionAgeGrace(maxConnectionAgeGraceMillis, TimeUnit.MILLISECONDS);
    }
    if (compresses()) {
      builder.intercept(new CompressInferResponses());
    }
  }

  /** Gzips the responses of ModelInfer and ModelStreamInfer, as Triton's compression level does. */
  private static final class CompressInferResponses implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String method = call.getMethodDescriptor().getFullMethodName();
      if (!method.equals(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
          && !method.equals(
              GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName())) {
        return next.startCall(call, headers);
      }
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              // gRPC only compresses for clients that listed gzip in grpc-accept-encoding.
              setCompression("gzip");
              super.sendHeaders(responseHeaders);
            }
          },
          headers);
    }
  }
}
