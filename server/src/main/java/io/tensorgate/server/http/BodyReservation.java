package io.tensorgate.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;

/**
 * One connection's share of the {@link BodyBudget}: reserves each piece of a request body as it
 * arrives (between the HTTP decoder and the body aggregator), and gives it back when {@link
 * HttpConnection} answered the request, or when the connection closes. A piece that does not fit is
 * answered 429 with a JSON error and the connection is closed, reading nothing more. Confined to
 * the connection's event loop.
 */
final class BodyReservation extends ChannelInboundHandlerAdapter {
  private final BodyBudget budget;
  // Bytes this connection holds: read and not yet answered.
  private long held;
  private boolean refused;

  BodyReservation(BodyBudget budget) {
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!refused && msg instanceof HttpContent c) {
      int n = c.content().readableBytes();
      if (n > 0 && !budget.tryReserve(n)) {
        refused = true;
        ctx.writeAndFlush(tooMany());
      } else {
        held += n;
      }
    }
    if (!refused) {
      ctx.fireChannelRead(msg);
      return;
    }
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last) {
      ctx.close();
    }
  }

  /** A request of {@code bytes} body bytes was answered: they are free again. */
  void answered(long bytes) {
    long n = Math.min(bytes, held);
    held -= n;
    budget.release(n);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    budget.release(held);
    held = 0;
    ctx.fireChannelInactive();
  }

  private FullHttpResponse tooMany() {
    byte[] body =
        HttpErrors.body(
            "request bodies being read hold "
                + budget.held()
                + " of "
                + budget.limit()
                + " bytes (--max-inflight-request-bytes); retry later");
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.TOO_MANY_REQUESTS,
            Unpooled.wrappedBuffer(body));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }
}
