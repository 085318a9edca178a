package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection of the lean client. A call is the same prebuilt HEADERS every time and the
 * request's pre-framed bytes as DATA with END_STREAM. The answer is read only as far as its status:
 * {@code :status}, the trailers' {@code grpc-status} and {@code grpc-message}, or a RST_STREAM;
 * response DATA is counted and dropped unless a {@link ResponseCheck} wants the message. Calls the
 * server does not let open yet (SETTINGS_MAX_CONCURRENT_STREAMS) wait in Netty's {@link
 * StreamBufferingEncoder}. Per-call state lives in recycled {@link Exchange}s, so a call allocates
 * nothing beyond what Netty's codec does.
 *
 * <p>Threading: everything but construction runs on the channel's event loop.
 */
final class GrpcClientHandler extends Http2ConnectionHandler {

  /** Settings of every connection of one transport. */
  record Settings(
      Http2Headers requestHeaders,
      long timeoutNanos,
      long keepaliveNanos,
      long maxResponseBytes,
      ResponseCheck check) {}

  static final int WINDOW_BYTES = 1 << 20;
  private static final int CONNECTION_WINDOW_BYTES = 16 << 20;

  private final Settings settings;
  private final Promise<Void> ready;
  private final IntObjectHashMap<Exchange> exchanges = new IntObjectHashMap<>();
  private final ArrayDeque<Exchange> free = new ArrayDeque<>();
  // One flush covers every send queued before it ran.
  private final Runnable flushTask = this::flushFromTask;
  private int[] expired = new int[16];
  private ChannelHandlerContext ctx;
  // Non-null once the connection takes no new calls. Written on the event loop, read by senders.
  private volatile Status closed;
  private boolean flushScheduled;
  private boolean pingOutstanding;

  /**
   * @param ready completed when the server's first SETTINGS arrive (the connection then knows its
   *     stream limit), failed when the connection closes before
   */
  GrpcClientHandler(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings initialSettings,
      Settings settings,
      Promise<Void> ready) {
    super(decoder, encoder, initialSettings);
    this.settings = settings;
    this.ready = ready;
    Events events = new Events();
    decoder.frameListener(events);
    connection().addListener(events);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    super.handlerAdded(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    connection()
        .local()
        .flowController()
        .incrementWindowSize(
            connection().connectionStream(),
            CONNECTION_WINDOW_BYTES - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    flush(ctx);
    long timeout = settings.timeoutNanos();
    if (timeout > 0) {
      long every = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(timeout / 10, 100_000_000));
      ctx.executor().scheduleAtFixedRate(this::expire, every, every, TimeUnit.NANOSECONDS);
    }
    long keepalive = settings.keepaliveNanos();
    if (keepalive > 0) {
      ctx.executor().scheduleAtFixedRate(this::ping, keepalive, keepalive, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (closed == null) {
      closed = Status.UNAVAILABLE.withDescription("connection closed");
    }
    ready.tryFailure(new IOException("connection closed before the server's SETTINGS"));
    super.channelInactive(ctx);
    failAll(closed);
  }

  /**
   * A failure below HTTP/2 (bytes that are no TLS record, a reset socket) closes the connection
   * with its reason instead of reaching the pipeline's tail, which logs a stack trace per
   * connection; HTTP/2 errors go through the codec as usual.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
      super.exceptionCaught(ctx, cause);
      return;
    }
    if (closed == null) {
      closed = GrpcWireStatus.fromConnectionFailure(cause);
    }
    ready.tryFailure(cause);
    ctx.close();
  }

  /** Whether the connection takes no new calls (the server went away or the channel closed). */
  boolean closed() {
    return closed != null;
  }

  /** Starts a call, to be flushed by a task queued behind it; must run on the event loop. */
  void sendAndFlushLater(EncodedRequest request, CallTransport.Callback callback) {
    send(request, callback);
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.executor().execute(flushTask);
    }
  }

  private void send(EncodedRequest request, CallTransport.Callback callback) {
    long now = System.nanoTime();
    Status refusal = closed;
    if (refusal != null) {
      // Through the task queue: a lane failing call after call must not starve the loop's I/O.
      ctx.executor().execute(() -> callback.onComplete(refusal, System.nanoTime()));
      return;
    }
    int streamId = connection().local().incrementAndGetNextStreamId();
    if (streamId < 0) {
      closed = Status.UNAVAILABLE.withDescription("connection ran out of stream ids");
      callback.onComplete(closed, now);
      return;
    }
    Exchange exchange = free.isEmpty() ? new Exchange() : free.poll();
    exchange.start(streamId, callback, now);
    exchanges.put(streamId, exchange);
    ChannelPromise headersWritten = ctx.newPromise();
    exchange.headersWritten = headersWritten;
    encoder().writeHeaders(ctx, streamId, settings.requestHeaders(), 0, false, headersWritten);
    headersWritten.addListener(exchange);
    if (exchanges.get(streamId) == exchange) {
      encoder().writeData(ctx, streamId, request.retainedFrames(), 0, true, ctx.newPromise());
    }
  }

  private void flushFromTask() {
    flushScheduled = false;
    flush(ctx);
  }

  private void complete(Exchange exchange, Status status) {
    CallTransport.Callback callback = exchange.callback;
    exchange.reset();
    free.offer(exchange);
    callback.onComplete(status, System.nanoTime());
  }

  private Status outcome(Exchange exchange) {
    return exchange.response.status(
        settings.check(), settings.timeoutNanos(), exchange.startNanos, closed);
  }

  /** Ends every call in flight with {@code status}; must run on the event loop. */
  void cancelAll(Status status) {
    // The calls of this moment only: a callback may start new ones.
    for (int id : exchanges.keySet().stream().mapToInt(Integer::intValue).toArray()) {
      Exchange exchange = exchanges.remove(id);
      if (exchange != null) {
        complete(exchange, status);
        encoder().writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
      }
    }
    flush(ctx);
  }

  /** Ends every call in flight once the connection is gone (new calls then fail at once). */
  private void failAll(Status status) {
    for (int id : exchanges.keySet().stream().mapToInt(Integer::intValue).toArray()) {
      Exchange exchange = exchanges.remove(id);
      if (exchange != null) {
        complete(exchange, status);
      }
    }
  }

  /** Fails calls past the deadline and resets their streams. */
  private void expire() {
    long now = System.nanoTime();
    int count = 0;
    for (IntObjectMap.PrimitiveEntry<Exchange> entry : exchanges.entries()) {
      if (now - entry.value().startNanos >= settings.timeoutNanos()) {
        if (count == expired.length) {
          expired = Arrays.copyOf(expired, count * 2);
        }
        expired[count++] = entry.key();
      }
    }
    if (count == 0) {
      return;
    }
    for (int i = 0; i < count; i++) {
      Exchange exchange = exchanges.remove(expired[i]);
      complete(exchange, GrpcWireStatus.deadlineExceeded());
      encoder().writeRstStream(ctx, expired[i], Http2Error.CANCEL.code(), ctx.newPromise());
    }
    flush(ctx);
  }

  private void ping() {
    if (pingOutstanding) {
      closed = Status.UNAVAILABLE.withDescription("keepalive ping not acknowledged");
      ctx.close();
      return;
    }
    pingOutstanding = true;
    encoder().writePing(ctx, false, System.nanoTime(), ctx.newPromise());
    flush(ctx);
  }

  /** Per-call state, recycled. Listens to its HEADERS write to catch calls that never left. */
  private final class Exchange implements ChannelFutureListener {
    int streamId;
    CallTransport.Callback callback;
    long startNanos;
    ChannelPromise headersWritten;
    final CallResponse response = new CallResponse();

    void start(int streamId, CallTransport.Callback callback, long startNanos) {
      this.streamId = streamId;
      this.callback = callback;
      this.startNanos = startNanos;
      response.start(settings.check() != null ? ctx.alloc() : null);
    }

    void reset() {
      callback = null;
      headersWritten = null;
      response.reset();
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      // A recycled exchange ignores the promises of its earlier calls.
      if (future != headersWritten || future.isSuccess()) {
        return;
      }
      if (exchanges.get(streamId) == this) {
        exchanges.remove(streamId);
        Throwable cause = future.cause();
        String why = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        complete(this, (closed != null ? closed : Status.UNAVAILABLE).augmentDescription(why));
      }
    }
  }

  /** Frames and stream events. */
  private final class Events extends Http2EventAdapter {

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
      ready.trySuccess(null);
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
      pingOutstanding = false;
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int padding,
        short weight,
        boolean exclusive,
        int streamDependency,
        boolean endOfStream) {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int padding,
        boolean endOfStream) {
      Exchange exchange = exchanges.get(streamId);
      if (exchange != null) {
        exchange.response.onHeaders(headers);
      }
    }

    @Override
    public int onDataRead(
        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
      int processed = data.readableBytes() + padding;
      Exchange exchange = exchanges.get(streamId);
      if (exchange == null) {
        return processed;
      }
      if (!exchange.response.onData(data, settings.maxResponseBytes())) {
        exchanges.remove(streamId);
        complete(
            exchange,
            Status.RESOURCE_EXHAUSTED.withDescription(
                "response larger than " + settings.maxResponseBytes() + " bytes"));
        encoder().writeRstStream(ctx, streamId, Http2Error.CANCEL.code(), ctx.newPromise());
      }
      return processed;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      Exchange exchange = exchanges.get(streamId);
      if (exchange != null) {
        exchange.response.onReset(errorCode);
      }
    }

    @Override
    public void onGoAwayRead(
        ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
      if (closed == null) {
        Http2Error error = Http2Error.valueOf(errorCode);
        closed =
            Status.UNAVAILABLE.withDescription(
                "server sent GOAWAY (" + (error == null ? errorCode : error.name()) + ")");
      }
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
      Exchange exchange = exchanges.remove(stream.id());
      if (exchange != null) {
        complete(exchange, outcome(exchange));
      }
    }
  }
}
