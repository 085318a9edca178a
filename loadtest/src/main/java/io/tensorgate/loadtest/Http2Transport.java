package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

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
      GrpcClientHandler.ResponseCheck check) {
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

  private final EventLoopGroup group;
  private final boolean epoll;
  // Arrays instead of Lists: indexed on every send.
  private final Channel[] channels;
  private final EventLoop[] loops;
  private final GrpcClientHandler[] handlers;

  private Http2Transport(
      EventLoopGroup group,
      boolean epoll,
      List<Channel> channels,
      List<GrpcClientHandler> handlers) {
    this.group = group;
    this.epoll = epoll;
    this.channels = channels.toArray(new Channel[0]);
    this.loops = channels.stream().map(Channel::eventLoop).toArray(EventLoop[]::new);
    this.handlers = handlers.toArray(new GrpcClientHandler[0]);
  }

  /** Opens every connection and waits until the server's SETTINGS arrived on each. Blocking. */
  static Http2Transport connect(Options options) throws IOException, InterruptedException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            options.threads(),
            new DefaultThreadFactory("loadtest-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    List<Channel> channels = new ArrayList<>();
    List<GrpcClientHandler> handlers = new ArrayList<>();
    try {
      SslContext ssl = options.security().leanClientContext();
      GrpcClientHandler.Settings settings = settings(options, ssl != null);
      for (int i = 0; i < options.connections(); i++) {
        open(options, group, epoll, ssl, settings, channels, handlers);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      channels.forEach(Channel::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    return new Http2Transport(group, epoll, channels, handlers);
  }

  private static void open(
      Options options,
      EventLoopGroup group,
      boolean epoll,
      SslContext ssl,
      GrpcClientHandler.Settings settings,
      List<Channel> channels,
      List<GrpcClientHandler> handlers)
      throws IOException, InterruptedException {
    Target target = options.target();
    EventLoop loop = group.next();
    Promise<Void> ready = loop.newPromise();
    GrpcClientHandler handler = GrpcClientHandler.create(settings, ready);
    long connectMillis = Math.max(1, options.connectTimeout().toMillis());
    ChannelFuture connected =
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(connectMillis, 1 << 30))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (ssl != null) {
                      String name = options.security().serverName(target.host());
                      SslHandler tls = ssl.newHandler(channel.alloc(), name, target.port());
                      channel.pipeline().addLast(tls);
                    }
                    channel.pipeline().addLast(handler);
                  }
                })
            .connect(target.host(), target.port());
    channels.add(connected.channel());
    handlers.add(handler);
    try {
      connected.get(connectMillis, TimeUnit.MILLISECONDS);
      SslHandler tls = connected.channel().pipeline().get(SslHandler.class);
      if (tls != null) {
        tls.handshakeFuture().get(connectMillis, TimeUnit.MILLISECONDS);
      }
      ready.get(connectMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot connect to " + target + ": " + rootMessage(e.getCause(), ssl != null), e);
    } catch (TimeoutException e) {
      throw new IOException(
          "cannot connect to "
              + target
              + ": no HTTP/2 answer within "
              + options.connectTimeout()
              + (ssl != null ? " (a plaintext server needs --insecure)" : ""),
          e);
    }
  }

  private static String rootMessage(Throwable failure, boolean tls) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    String text =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return tls && cause instanceof SSLException
        ? "TLS handshake failed (" + text + "); a plaintext server needs --insecure"
        : text;
  }

  private static GrpcClientHandler.Settings settings(Options options, boolean tls) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme(tls ? "https" : "http")
            .path(options.path())
            .authority(options.authority() != null ? options.authority() : options.target().text())
            .add("content-type", "application/grpc")
            .add("te", "trailers")
            .add("user-agent", "tensorgate-loadtest");
    long timeoutMillis = options.timeout().toMillis();
    if (timeoutMillis > 0) {
      headers.add(
          "grpc-timeout",
          timeoutMillis <= 99_999_999 ? timeoutMillis + "m" : (timeoutMillis / 1000) + "S");
    }
    if (options.gzip()) {
      headers.add("grpc-encoding", "gzip");
    }
    options.metadata().forEach(headers::add);
    return new GrpcClientHandler.Settings(
        headers,
        options.timeout().toNanos(),
        options.keepalive().toNanos(),
        options.maxResponseBytes(),
        options.check());
  }

  /** Whether the connections run on native epoll (else Java NIO). */
  boolean epoll() {
    return epoll;
  }

  int connections() {
    return channels.length;
  }

  @Override
  public void send(EncodedRequest request, int lane, Callback callback) {
    int index = lane % handlers.length;
    GrpcClientHandler handler = handlers[index];
    EventLoop loop = loops[index];
    if (loop.inEventLoop()) {
      handler.sendAndFlushLater(request, callback);
    } else {
      loop.execute(() -> handler.sendAndFlushLater(request, callback));
    }
  }

  @Override
  public void cancelAll(Status status) {
    for (int i = 0; i < handlers.length; i++) {
      GrpcClientHandler handler = handlers[i];
      loops[i].execute(() -> handler.cancelAll(status));
    }
  }

  @Override
  public void close() {
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel channel : channels) {
      closing.add(channel.close());
    }
    for (ChannelFuture future : closing) {
      future.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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
