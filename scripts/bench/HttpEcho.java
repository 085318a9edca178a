import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bare Netty HTTP/1.1 baseline of scripts/bench/http.sh: the same transport as Tensorgate's
 * HTTP endpoint (Netty, epoll when available, one event loop per core, keep-alive), answering every
 * request with canned bytes (a response Tensorgate gave for the same request). What it measures is
 * the transport and the client; the difference to Tensorgate is the serving work.
 *
 * <p>Run with the server's libraries: {@code java -cp 'server/target/lib/*' HttpEcho.java PORT
 * BODY_FILE CONTENT_TYPE [INFERENCE_HEADER_CONTENT_LENGTH]}
 */
public final class HttpEcho {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    byte[] body = Files.readAllBytes(Path.of(args[1]));
    String contentType = args[2];
    String headerLength = args.length > 3 ? args[3] : null;
    ByteBuf canned = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(body));
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    new ServerBootstrap()
        .group(boss, workers)
        .channel(channel)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(64 << 20))
                    .addLast(
                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                          @Override
                          protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest r) {
                            FullHttpResponse resp =
                                new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, canned.duplicate());
                            resp.headers()
                                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                            if (headerLength != null) {
                              resp.headers().set("Inference-Header-Content-Length", headerLength);
                            }
                            HttpUtil.setKeepAlive(resp, HttpUtil.isKeepAlive(r));
                            ctx.writeAndFlush(resp);
                          }
                        });
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", port))
        .sync();
    System.out.println("HTTP echo on 127.0.0.1:" + port + (epoll ? " (epoll)" : " (nio)"));
  }
}
