package io.tensorgate.server.security;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.tensorgate.server.logging.ClientFaults;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server-wide budget of RST_STREAM frames, on top of grpc-java's per-connection limit: a client
 * that spreads a rapid-reset attack over many connections, each under the per-connection limit,
 * still draws on one budget. A connection whose reset finds the budget empty is closed with GOAWAY
 * {@code ENHANCE_YOUR_CALM}, as grpc-java's own limit does. Counted resets are those gRPC acts on
 * (of streams that exist). Thread-safe.
 */
final class ResetBudget {
  private final TokenBucket bucket;
  private final ClientFaults faults;
  private final LongAdder received = new LongAdder();

  ResetBudget(TokenBucket bucket, ClientFaults faults) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /** RST_STREAM frames received on all connections so far (of streams that existed). */
  long received() {
    return received.sum();
  }

  /** A handler for a new connection's pipeline that hooks the budget into its HTTP/2 handler. */
  ChannelInboundHandlerAdapter probe() {
    return new Probe();
  }

  /**
   * Waits for grpc-java's HTTP/2 handler to join the pipeline (after the TLS handshake, or at once
   * in plaintext), wraps its frame listener, and leaves. Resets in the read that completes a TLS
   * handshake may pass uncounted; the per-connection limit still holds for them.
   */
  private final class Probe extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!install(ctx)) {
        ctx.fireChannelRead(msg);
        install(ctx);
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private boolean install(ChannelHandlerContext ctx) {
      Http2ConnectionHandler http2 = ctx.pipeline().get(Http2ConnectionHandler.class);
      if (http2 == null) {
        return false;
      }
      http2.decoder().frameListener(new Counting(http2.decoder().frameListener()));
      ctx.pipeline().remove(this);
      return true;
    }
  }

  private final class Counting extends Http2FrameListenerDecorator {
    Counting(Http2FrameListener listener) {
      super(listener);
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode)
        throws Http2Exception {
      received.increment();
      if (!bucket.tryTake()) {
        faults.record(
            ClientFaults.Kind.RESET_FLOOD,
            "GOAWAY to " + ctx.channel().remoteAddress() + ": server-wide RST_STREAM budget spent");
        throw Http2Exception.connectionError(
            Http2Error.ENHANCE_YOUR_CALM, "too many stream resets across connections");
      }
      super.onRstStreamRead(ctx, streamId, errorCode);
    }
  }
}
