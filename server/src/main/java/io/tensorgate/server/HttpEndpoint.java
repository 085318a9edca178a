package io.tensorgate.server;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.tensorgate.server.http.HttpOptions;
import io.tensorgate.server.http.HttpServer;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The HTTP/REST endpoint and what it calls: an in-process gRPC server with the gRPC port's services
 * and per-call rules (no second copy of any of them), and the HTTP server that turns each request
 * into one call of it.
 */
final class HttpEndpoint {
  private final Server calls;
  private final ManagedChannel channel;
  private final HttpServer http;

  private HttpEndpoint(Server calls, ManagedChannel channel, HttpServer http) {
    this.calls = calls;
    this.channel = channel;
    this.http = http;
  }

  /**
   * @param ssl TLS for HTTP (the gRPC port's certificates), or {@code null}
   * @param admission the server-wide connection admission, or {@code null}
   * @param configure adds the services and the per-call interceptors, as on the gRPC port
   * @param bodyBudgetBytes the most request body bytes HTTP connections may hold together
   * @throws IOException when the HTTP port cannot be bound
   */
  static HttpEndpoint start(
      HttpOptions options,
      String grpcAddress,
      SslContext ssl,
      ChannelHandler admission,
      Consumer<ServerBuilder<?>> configure,
      List<ServerServiceDefinition> services,
      long bodyBudgetBytes)
      throws IOException {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder b = InProcessServerBuilder.forName(name);
    configure.accept(b);
    Server calls = b.build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      return new HttpEndpoint(
          calls,
          channel,
          HttpServer.start(
              options, grpcAddress, channel, services, ssl, admission, bodyBudgetBytes));
    } catch (IOException | RuntimeException e) {
      channel.shutdownNow();
      calls.shutdownNow();
      throw e;
    }
  }

  int port() {
    return http.port();
  }

  /** The in-process server HTTP's calls go through. */
  Server calls() {
    return calls;
  }

  /** HTTP requests read and not yet answered. */
  long openRequests() {
    return http.openRequests();
  }

  /** Stops taking new requests; those in progress go on. */
  void drain() {
    http.drain();
    calls.shutdown();
  }

  void close() {
    calls.shutdownNow();
    channel.shutdownNow();
    http.close();
  }
}
