package io.tensorgate.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Collects a request's body up to {@code --http-max-input-size} bytes. A larger body (declared in
 * {@code Content-Length}, or sent chunked) is refused with 400 and Triton's words, as JSON, before
 * it is read, and the connection is closed; {@code Expect: 100-continue} gets the same answer
 * instead of the go-ahead.
 */
final class BodyAggregator extends HttpObjectAggregator {
  private final int max;

  BodyAggregator(int max) {
    super(max, true);
    this.max = max;
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object r = super.newContinueResponse(start, maxContentLength, pipeline);
    if (r instanceof FullHttpResponse
        && ((FullHttpResponse) r).status().code() != HttpResponseStatus.CONTINUE.code()) {
      ((FullHttpResponse) r).release();
      return tooLarge(start);
    }
    return r;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    ctx.writeAndFlush(tooLarge(oversized)).addListener(ChannelFutureListener.CLOSE);
  }

  private FullHttpResponse tooLarge(HttpMessage request) {
    long declared = HttpUtil.getContentLength(request, -1L);
    String size = declared >= 0 ? declared + " bytes" : "a chunked body";
    byte[] body =
        HttpErrors.body(
            "request of "
                + size
                + " exceeds the maximum allowed input size of "
                + max
                + " bytes. Use --http-max-input-size to increase the limit.");
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }
}
