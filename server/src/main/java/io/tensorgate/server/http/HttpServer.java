package io.tensorgate.server.http;

import io.grpc.ServerServiceDefinition;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/REST endpoint: a Netty HTTP/1.1 server (keep-alive, TLS with the gRPC port's
 * certificates, gzip and deflate both ways for inference) whose requests become calls of the
 * server's own gRPC services through {@code calls}, an in-process channel to them. Started by
 * {@link #start}; {@link #drain} begins a graceful shutdown, {@link #close} ends it.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /** Longest request line (method, path and query). */
  static final int MAX_INITIAL_LINE = 8192;

  /** Largest block of request headers. */
  static final int MAX_HEADER_BYTES = 16384;

  private final State state;
  private final ChannelGroup channels;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel listener;
  private final String address;

  private HttpServer(
      State state,
      ChannelGroup channels,
      EventLoopGroup boss,
      EventLoopGroup workers,
      Channel listener,
      String address) {
    this.state = state;
    this.channels = channels;
    this.boss = boss;
    this.workers = workers;
    this.listener = listener;
    this.address = address;
  }

  /** What is open on the endpoint, shared by its connections. */
  static final class State {
    private final AtomicLong open = new AtomicLong();
    private volatile boolean draining;

    void opened() {
      open.incrementAndGet();
    }

    void closed() {
      open.decrementAndGet();
    }

    boolean draining() {
      return draining;
    }
  }

  /**
   * Binds the port and starts serving.
   *
   * @param grpcAddress the address used when {@code --http-address} is not given
   * @param calls an in-process channel to {@code services}
   * @param services the server's gRPC services (admin services are served as JSON)
   * @param ssl TLS for HTTP/1.1, or {@code null} for plaintext
   * @param admission admits or refuses each new connection on the accepting channel (the
   *     server-wide connection cap and rate), or {@code null} for none
   * @param bodyBudgetBytes the most request body bytes all connections may hold together while
   *     their requests are read and answered ({@code --max-inflight-request-bytes})
   * @throws IOException when the port cannot be bound
   */
  public static HttpServer start(
      HttpOptions options,
      String grpcAddress,
      io.grpc.Channel calls,
      List<ServerServiceDefinition> services,
      SslContext ssl,
      ChannelHandler admission,
      long bodyBudgetBytes)
      throws IOException {
    Objects.requireNonNull(options, "options");
    BodyBudget bodies = new BodyBudget(bodyBudgetBytes);
    String address = options.bindAddress(grpcAddress);
    boolean epoll = Epoll.isAvailable();
    if (options.reusePort && !epoll) {
      throw new IOException("--reuse-http-port needs the epoll transport (Linux)");
    }
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("tensorgate-http-boss", true), io);
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            options.threads(), new DefaultThreadFactory("tensorgate-http", true), io);
    State state = new State();
    ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    Router router =
        new Router(new GrpcBridge(calls), services, options.headerForward(), options.maxInputSize);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(channel)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    channels.add(ch);
                    pipeline(ch, ssl, options, router, state, bodies);
                  }
                });
    if (options.reusePort) {
      b.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    if (admission != null) {
      b.handler(admission);
    }
    InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(address), options.port());
    Channel listener;
    try {
      listener = b.bind(bind).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("cannot bind HTTP to " + address + ":" + options.port(), e);
    }
    HttpServer server = new HttpServer(state, channels, boss, workers, listener, address);
    log.info("Started HTTPService at {}:{}", address, server.port());
    return server;
  }

  private static void pipeline(
      Channel ch,
      SslContext ssl,
      HttpOptions options,
      Router router,
      State state,
      BodyBudget bodies) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      p.addLast(ssl.newHandler(ch.alloc()));
    }
    if (options.idleTimeoutSeconds > 0) {
      p.addLast(new IdleStateHandler(options.idleTimeoutSeconds, 0, 0, TimeUnit.SECONDS));
    }
    p.addLast(
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_BYTES)));
    BodyReservation reservation = new BodyReservation(bodies);
    p.addLast(reservation);
    p.addLast(new BodyAggregator(options.maxInputSize));
    p.addLast(new HttpConnection(router, state, options.maxInputSize, reservation));
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public String address() {
    return address;
  }

  /** Requests read and not yet answered (their responses not yet written). */
  public long openRequests() {
    return state.open.get();
  }

  /**
   * Begins a graceful shutdown: no new connections; requests that arrive on open connections are
   * answered 503 and their connections closed; requests already in progress go on.
   */
  public void drain() {
    state.draining = true;
    listener.close().syncUninterruptibly();
  }

  /** Closes every connection and stops the event loops. Idempotent. */
  @Override
  public void close() {
    state.draining = true;
    listener.close().syncUninterruptibly();
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
