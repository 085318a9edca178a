package io.tensorgate.loadtest;

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
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.StreamBufferingEncoder;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Opens the lean client's HTTP/2 connections (TCP, TLS with ALPN h2 unless plaintext, the HTTP/2
 * preface) on one event loop group: epoll when Netty's native transport loads, else NIO. A
 * connection counts as open once the server's first SETTINGS arrived, so its stream limit is known
 * before the first call. Thread-safe.
 */
final class Http2Connector implements AutoCloseable {

  /** One open connection and its handler; {@link #claimReconnect} guards its replacement. */
  record Connection(
      Channel channel, EventLoop loop, GrpcClientHandler handler, AtomicBoolean reconnecting) {

    boolean claimReconnect() {
      return reconnecting.compareAndSet(false, true);
    }

    void releaseReconnect() {
      reconnecting.set(false);
    }
  }

  private final Http2Transport.Options options;
  private final EventLoopGroup group;
  private final boolean epoll;
  private final SslContext ssl;
  private final GrpcClientHandler.Settings settings;
  private volatile boolean closed;

  Http2Connector(Http2Transport.Options options) throws SSLException {
    this.options = options;
    this.epoll = Epoll.isAvailable();
    this.ssl = options.security().leanClientContext();
    this.settings = settings(options, ssl != null);
    this.group =
        new MultiThreadIoEventLoopGroup(
            options.threads(),
            new DefaultThreadFactory("loadtest-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  boolean epoll() {
    return epoll;
  }

  /** Opens a connection and waits until it is ready; fails with a one-line reason. */
  Connection open() throws IOException, InterruptedException {
    Http2Transport.Target target = options.target();
    long millis = Math.max(1, options.connectTimeout().toMillis());
    Future<Connection> opening = openAsync();
    try {
      return opening.get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot connect to " + target + ": " + rootMessage(e.getCause(), ssl != null), e);
    } catch (TimeoutException e) {
      opening.cancel(false);
      throw new IOException(
          "cannot connect to "
              + target
              + ": no HTTP/2 answer within "
              + options.connectTimeout()
              + (ssl != null ? " (a plaintext server needs --insecure)" : ""),
          e);
    }
  }

  /** Opens a connection without waiting: the future completes once it is ready. */
  Future<Connection> openAsync() {
    Http2Transport.Target target = options.target();
    EventLoop loop = group.next();
    Promise<Void> ready = loop.newPromise();
    Promise<Connection> opened = loop.newPromise();
    GrpcClientHandler handler = newHandler(ready);
    long millis = Math.max(1, options.connectTimeout().toMillis());
    ChannelFuture connected =
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(millis, 1 << 30))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (ssl != null) {
                      String name = options.security().serverName(target.host());
                      channel
                          .pipeline()
                          .addLast(ssl.newHandler(channel.alloc(), name, target.port()));
                    }
                    channel.pipeline().addLast(handler);
                  }
                })
            .connect(target.host(), target.port());
    connected.addListener(
        (ChannelFuture done) -> {
          if (!done.isSuccess()) {
            opened.tryFailure(done.cause());
            return;
          }
          SslHandler tls = done.channel().pipeline().get(SslHandler.class);
          if (tls != null) {
            // A failed handshake closes the channel; report the handshake's reason, not that.
            tls.handshakeFuture()
                .addListener(
                    handshake -> {
                      if (!handshake.isSuccess()) {
                        opened.tryFailure(handshake.cause());
                      }
                    });
          }
          ready.addListener(
              settled -> {
                if (settled.isSuccess()) {
                  opened.trySuccess(
                      new Connection(done.channel(), loop, handler, new AtomicBoolean()));
                } else {
                  opened.tryFailure(settled.cause());
                }
              });
        });
    opened.addListener(
        result -> {
          if (!result.isSuccess()) {
            connected.channel().close();
          }
        });
    return opened;
  }

  /** One connection's HTTP/2 codec, tuned for many small streams of one kind. */
  private GrpcClientHandler newHandler(Promise<Void> ready) {
    Http2Connection connection = new DefaultHttp2Connection(false);
    // Every call is one small stream of equal weight: the uniform distributor skips the priority
    // tree that Netty's default (weighted fair queue) updates on every stream, measured at 35 %
    // of the client's event-loop CPU.
    connection
        .remote()
        .flowController(
            new DefaultHttp2RemoteFlowController(
                connection, new UniformStreamByteDistributor(connection)));
    Http2ConnectionEncoder encoder =
        new StreamBufferingEncoder(
            new DefaultHttp2ConnectionEncoder(
                connection, new DefaultHttp2FrameWriter(new StaticHpackEncoder())));
    Http2ConnectionDecoder decoder =
        new DefaultHttp2ConnectionDecoder(connection, encoder, new DefaultHttp2FrameReader());
    Http2Settings initial =
        new Http2Settings().pushEnabled(false).initialWindowSize(GrpcClientHandler.WINDOW_BYTES);
    return new GrpcClientHandler(decoder, encoder, initial, settings, ready);
  }

  private static String rootMessage(Throwable failure, boolean tls) {
    Throwable cause = failure;
    boolean handshake = cause instanceof SSLException;
    while (cause.getCause() != null) {
      cause = cause.getCause();
      handshake |= cause instanceof SSLException;
    }
    String text =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    // Netty's native transport prefixes the errno: "finishConnect(..) failed with error(-111): ".
    int errno = text.indexOf("): ");
    if (text.contains("failed with error(") && errno > 0) {
      text = text.substring(errno + 3);
    }
    return tls && handshake
        ? "TLS handshake failed (" + text + "); a plaintext server needs --insecure"
        : text;
  }

  /** The request headers every call of the transport sends, built once. */
  private static GrpcClientHandler.Settings settings(Http2Transport.Options options, boolean tls) {
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

  /** Marks the transport closed: connections opened from now on are closed at once. */
  void markClosed() {
    closed = true;
  }

  boolean closed() {
    return closed;
  }

  /** Stops the event loops (after the transport closed its connections). */
  @Override
  public void close() {
    closed = true;
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
