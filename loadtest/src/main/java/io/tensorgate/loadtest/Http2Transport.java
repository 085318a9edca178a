package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The lean client: calls of one gRPC method over N HTTP/2 connections of Netty's codec, native
 * epoll when it loads. Requests are framed once ({@link EncodedRequest}); see {@link
 * GrpcClientHandler} for what a call costs. Lane i always uses connection {@code i % N}, so a
 * lane's completions and its next send stay on one event loop thread.
 */
final class Http2Transport implements CallTransport {

  /**
   * @param target where to connect
   * @param path the call's HTTP/2 path, {@code /package.Service/Method}
   * @param connections HTTP/2 connections
   * @param threads event loop threads the connections are spread over
   * @param authority the {@code :authority} header, or null for host:port
   * @param metadata extra request headers (gRPC metadata), lower-case names
   * @param timeout per-call deadline, zero for none
   * @param connectTimeout how long connecting may take
   * @param keepalive HTTP/2 PING interval, zero for none
   * @param gzip requests are gzip-compressed
   * @param maxResponseBytes larger responses fail with RESOURCE_EXHAUSTED
   * @param check inspects successful responses, or null to only read their status
   */
  record Options(
      Target target,
      String path,
      int connections,
      int threads,
      TransportSecurity security,
      String authority,
      Map<String, String> metadata,
      Duration timeout,
      Duration connectTimeout,
      Duration keepalive,
      boolean gzip,
      long maxResponseBytes,
      ResponseCheck check) {
    Options {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(security, "security");
      metadata = Map.copyOf(metadata);
      if (connections < 1 || threads < 1) {
        throw new IllegalArgumentException("connections and threads must be >= 1");
      }
    }
  }

  private final Http2Connector connector;
  // Read on every send; a lost connection is replaced in place (see reconnect).
  private final AtomicReferenceArray<Http2Connector.Connection> connections;

  private Http2Transport(Http2Connector connector, List<Http2Connector.Connection> connections) {
    this.connector = connector;
    this.connections =
        new AtomicReferenceArray<>(connections.toArray(new Http2Connector.Connection[0]));
  }

  /** Opens every connection and waits until the server's SETTINGS arrived on each. Blocking. */
  static Http2Transport connect(Options options) throws IOException, InterruptedException {
    Http2Connector connector = new Http2Connector(options);
    List<Http2Connector.Connection> opened = new ArrayList<>();
    try {
      for (int i = 0; i < options.connections(); i++) {
        opened.add(connector.open());
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      opened.forEach(connection -> connection.channel().close());
      connector.close();
      throw e;
    }
    return new Http2Transport(connector, opened);
  }

  /** Whether the connections run on native epoll (else Java NIO). */
  boolean epoll() {
    return connector.epoll();
  }

  int connections() {
    return connections.length();
  }

  @Override
  public void send(EncodedRequest request, int lane, Callback callback) {
    int index = lane % connections.length();
    Http2Connector.Connection connection = connections.get(index);
    if (connection.handler().closed()) {
      reconnect(index, connection);
    }
    GrpcClientHandler handler = connection.handler();
    EventLoop loop = connection.loop();
    if (loop.inEventLoop()) {
      handler.sendAndFlushLater(request, callback);
    } else {
      loop.execute(() -> handler.sendAndFlushLater(request, callback));
    }
  }

  /**
   * Replaces a connection the server closed (GOAWAY, a restart): as grpc-go under ghz, calls on it
   * fail with UNAVAILABLE until a new connection is up; a failed attempt is retried after a second.
   */
  private void reconnect(int index, Http2Connector.Connection lost) {
    if (!lost.claimReconnect()) {
      return;
    }
    connector
        .openAsync()
        .addListener(
            future -> {
              if (future.isSuccess()) {
                Http2Connector.Connection fresh = (Http2Connector.Connection) future.getNow();
                if (!connections.compareAndSet(index, lost, fresh) || connector.closed()) {
                  fresh.channel().close();
                }
              } else {
                lost.loop().schedule(lost::releaseReconnect, 1, TimeUnit.SECONDS);
              }
            });
  }

  @Override
  public void cancelAll(Status status) {
    for (int i = 0; i < connections.length(); i++) {
      Http2Connector.Connection connection = connections.get(i);
      connection.loop().execute(() -> connection.handler().cancelAll(status));
    }
  }

  @Override
  public void close() {
    connector.markClosed();
    List<ChannelFuture> closing = new ArrayList<>();
    for (int i = 0; i < connections.length(); i++) {
      closing.add(connections.get(i).channel().close());
    }
    for (ChannelFuture future : closing) {
      future.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    connector.close();
  }

  /** A {@code host:port} to connect to; ghz's {@code dns:///} prefix is accepted. */
  record Target(String host, int port) {
    Target {
      Objects.requireNonNull(host, "host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be in 1..65535, got " + port);
      }
    }

    static Target parse(String text) {
      String value = text.trim();
      if (value.startsWith("dns:///")) {
        value = value.substring("dns:///".length());
      }
      int colon = value.lastIndexOf(':');
      if (colon <= 0 || colon == value.length() - 1) {
        throw new IllegalArgumentException("host must be host:port, got '" + text + "'");
      }
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new Target(host, Integer.parseInt(value.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("host must be host:port, got '" + text + "'", e);
      }
    }

    String text() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
      return text();
    }
  }
}
