package io.tensorgate.server.security;

import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tensorgate.server.logging.ClientFaults;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Limits on connections that grpc-java has no setting for, enforced where the server accepts them:
 * at most {@code maxConnections} open at once and {@code newPerSecond} new ones a second across the
 * server (a connection over either is closed at once, before any TLS or HTTP/2 work), and the
 * server-wide {@link ResetBudget}. To see connections as they are accepted it supplies the server
 * channel and its event loops itself, with the transport grpc-java would choose (epoll when
 * available, else NIO); {@link #close} shuts those loops down after the server terminated.
 */
final class ConnectionLimits implements AutoCloseable {
  /** Descriptors kept for the JVM, model files, logs and shared memory when deriving the cap. */
  static final long DESCRIPTOR_RESERVE = 256;

  static final int MIN_DEFAULT_CONNECTIONS = 64;
  static final int MAX_DEFAULT_CONNECTIONS = 10_000;

  private final int maxConnections;
  private final TokenBucket newConnections;
  private final ResetBudget resets;
  private final ClientFaults faults;
  private final AtomicInteger open = new AtomicInteger();
  // Volatile: set by start(), read by close() on the shutdown thread.
  private volatile EventLoopGroup boss;
  private volatile EventLoopGroup workers;

  /**
   * @param maxConnections most open connections, 0 for no cap
   * @param newConnections new connections a second, or {@code null} for no limit
   * @param resets the server-wide reset budget, or {@code null} for none
   */
  ConnectionLimits(
      int maxConnections, TokenBucket newConnections, ResetBudget resets, ClientFaults faults) {
    this.maxConnections = maxConnections;
    this.newConnections = newConnections;
    this.resets = resets;
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /**
   * The default connection cap: half of what the open-file limit leaves after a reserve, so that
   * shared-memory regions and model files keep descriptors too, within [{@value
   * #MIN_DEFAULT_CONNECTIONS}, {@value #MAX_DEFAULT_CONNECTIONS}].
   */
  static int defaultMaxConnections(long openFileLimit) {
    if (openFileLimit <= 0) {
      return MAX_DEFAULT_CONNECTIONS;
    }
    long derived = (openFileLimit - DESCRIPTOR_RESERVE) / 2;
    return (int) Math.max(MIN_DEFAULT_CONNECTIONS, Math.min(MAX_DEFAULT_CONNECTIONS, derived));
  }

  /** This process's open-file limit (RLIMIT_NOFILE), or -1 when the JVM cannot tell. */
  static long openFileLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }

  void bindTo(MeterRegistry registry) {
    Gauge.builder("tensorgate.grpc.connections.open", open, AtomicInteger::get)
        .description("gRPC and HTTP connections open now")
        .register(registry);
    if (resets != null) {
      FunctionCounter.builder("tensorgate.grpc.stream.resets", resets, ResetBudget::received)
          .description("RST_STREAM frames received from clients, all connections together")
          .register(registry);
    }
  }

  /**
   * Sets the server channel and event loops of the gRPC server.
   *
   * @param workerThreads transport threads, 0 for Netty's default (twice the cores)
   * @param reusePort bind with {@code SO_REUSEPORT} (epoll only)
   */
  void applyTo(NettyServerBuilder builder, int workerThreads, boolean reusePort) {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Supplier<ServerChannel> channel =
        epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("tensorgate-grpc-boss", true), io);
    workers =
        new MultiThreadIoEventLoopGroup(
            workerThreads, new DefaultThreadFactory("tensorgate-grpc-worker", true), io);
    Accept accept = new Accept(true);
    builder
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(
            () -> {
              ServerChannel ch = channel.get();
              ch.pipeline().addLast(accept);
              return ch;
            });
    if (reusePort && epoll) {
      builder.withOption(EpollChannelOption.SO_REUSEPORT, true);
    }
  }

  /** The transport threads' event loops, once {@link #applyTo} made them. */
  EventLoopGroup workers() {
    return workers;
  }

  /**
   * The same admission for the HTTP endpoint's server channel: its connections count against the
   * same cap and rate as gRPC's (one budget of descriptors for the process).
   */
  ChannelHandler httpAdmission() {
    return new Accept(false);
  }

  /** Why a new connection is refused now, or {@code null} when it may open. */
  private String refusal() {
    if (maxConnections > 0 && open.get() >= maxConnections) {
      return "connection limit of "
          + maxConnections
          + " reached (--grpc-max-connections, gRPC and HTTP together)";
    }
    if (newConnections != null && !newConnections.tryTake()) {
      return "more new connections a second than allowed (--grpc-new-connections-per-sec)";
    }
    return null;
  }

  /** Runs on the accepting event loop before grpc-java (or the HTTP server) sees the connection. */
  @ChannelHandler.Sharable
  private final class Accept extends ChannelInboundHandlerAdapter {
    private final boolean http2;

    /**
     * @param http2 whether the connection speaks HTTP/2, whose resets the budget counts
     */
    Accept(boolean http2) {
      this.http2 = http2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      String refusal = refusal();
      if (refusal != null) {
        faults.record(ClientFaults.Kind.CONNECTION_REFUSED, child.remoteAddress() + ": " + refusal);
        child.unsafe().closeForcibly();
        return;
      }
      open.incrementAndGet();
      child.closeFuture().addListener(f -> open.decrementAndGet());
      if (resets != null && http2) {
        child.pipeline().addLast(resets.probe());
      }
      ctx.fireChannelRead(child);
    }
  }

  @Override
  public void close() {
    if (boss != null) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
