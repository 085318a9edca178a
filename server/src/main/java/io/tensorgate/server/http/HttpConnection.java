package io.tensorgate.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection: answers its requests one at a time, in order (pipelined requests wait
 * their turn, and the socket is not read meanwhile, so a client cannot queue more than one read of
 * requests), and cancels the call in progress when the client goes away. Every method runs on the
 * connection's event loop.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);

  private final Router router;
  private final HttpServer.State state;
  private final int maxInputSize;
  private final BodyReservation reservation;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
  private HttpExchange current;
  // Body bytes of the request being answered, given back to the budget once it is.
  private long currentBodyBytes;

  HttpConnection(
      Router router, HttpServer.State state, int maxInputSize, BodyReservation reservation) {
    this.router = Objects.requireNonNull(router, "router");
    this.state = Objects.requireNonNull(state, "state");
    this.maxInputSize = maxInputSize;
    this.reservation = Objects.requireNonNull(reservation, "reservation");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    if (current != null) {
      waiting.add(request);
      return;
    }
    begin(ctx, request);
  }

  private void begin(ChannelHandlerContext ctx, FullHttpRequest request) {
    ctx.channel().config().setAutoRead(false);
    state.opened();
    currentBodyBytes = request.content().readableBytes();
    HttpExchange ex;
    try {
      if (!request.decoderResult().isSuccess()) {
        ex = exchange(ctx, request, List.of(), new byte[0], false);
        ex.fail(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        return;
      }
      if (request.protocolVersion().majorVersion() != 1) {
        // E.g. an HTTP/2 client's preface: the answer must be in a version it can be read in.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        ex = exchange(ctx, request, List.of(), new byte[0], false);
        ex.fail(
            HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
            "only HTTP/1.0 and HTTP/1.1 are served on this port");
        return;
      }
      List<String> path = segments(request.uri());
      byte[] body;
      try {
        body =
            RequestBodies.read(
                request.headers().get(HttpHeaderNames.CONTENT_ENCODING),
                request.content(),
                maxInputSize);
      } catch (HttpFailure e) {
        ex = exchange(ctx, request, path, new byte[0], HttpUtil.isKeepAlive(request));
        if (e.status().code() == 501) {
          ex.respond(
              e.status(),
              "application/json",
              Unpooled.wrappedBuffer(HttpErrors.body(e.getMessage())),
              new DefaultHttpHeaders().set(HttpHeaderNames.ACCEPT_ENCODING, "gzip, deflate"));
        } else {
          ex.fail(e.status(), e.getMessage());
        }
        return;
      }
      ex = exchange(ctx, request, path, body, HttpUtil.isKeepAlive(request));
    } finally {
      request.release();
    }
    if (state.draining()) {
      ex.closeAfter();
      ex.fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "Server is shutting down");
      return;
    }
    try {
      router.dispatch(ex);
    } catch (HttpFailure e) {
      ex.fail(e.status(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("HTTP request {} {} failed", request.method(), request.uri(), e);
      ex.fail(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }
  }

  private HttpExchange exchange(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      List<String> path,
      byte[] body,
      boolean keepAlive) {
    current =
        new HttpExchange(
            ctx,
            request.method(),
            path,
            request.headers(),
            body,
            request.protocolVersion(),
            keepAlive,
            done -> ctx.executor().execute(() -> finished(ctx, done)));
    return current;
  }

  private void finished(ChannelHandlerContext ctx, HttpExchange done) {
    if (current != done) {
      return;
    }
    current = null;
    state.closed();
    reservation.answered(currentBodyBytes);
    currentBodyBytes = 0;
    FullHttpRequest next = waiting.poll();
    if (next != null) {
      begin(ctx, next);
    } else if (ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  /** The path's segments, percent-decoded; the query string is ignored (as Triton does). */
  static List<String> segments(String uri) {
    String path = new QueryStringDecoder(uri).rawPath();
    List<String> out = new ArrayList<>(6);
    int start = path.startsWith("/") ? 1 : 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      out.add(QueryStringDecoder.decodeComponent(path.substring(start, end)));
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return out;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // Idle with no request being answered: a keep-alive connection nobody uses, or a client that
    // stopped sending half-way through a request.
    if (evt instanceof IdleStateEvent && current == null) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      current.cancel();
    }
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection, a TLS failure: nothing to answer; the connection goes.
    log.debug("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
