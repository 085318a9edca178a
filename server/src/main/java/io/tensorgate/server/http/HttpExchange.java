package io.tensorgate.server.http;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One HTTP request and its answer. The request body has been copied out of Netty's buffers, so
 * whatever the answer takes (tensor data wrapped into a gRPC request included) outlives the
 * connection safely. Answered exactly once, from any thread: the response is written on the
 * connection's event loop, then the connection is told the exchange is over.
 */
final class HttpExchange {
  private static final String JSON = "application/json";

  private final ChannelHandlerContext ctx;
  private final HttpMethod method;
  private final List<String> path;
  private final HttpHeaders headers;
  private final byte[] body;
  private final HttpVersion version;
  private final boolean keepAlive;
  private final Consumer<HttpExchange> finished;
  private final AtomicBoolean answered = new AtomicBoolean();
  // Set by the thread that starts the call, read by the event loop when the connection closes.
  private volatile GrpcBridge.Handle call;
  private volatile boolean closeAfter;

  HttpExchange(
      ChannelHandlerContext ctx,
      HttpMethod method,
      List<String> path,
      HttpHeaders headers,
      byte[] body,
      HttpVersion version,
      boolean keepAlive,
      Consumer<HttpExchange> finished) {
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.version = version;
    this.keepAlive = keepAlive;
    this.finished = finished;
  }

  HttpMethod method() {
    return method;
  }

  /** The path's segments, percent-decoded; {@code /v2/models/m} is {@code [v2, models, m]}. */
  List<String> path() {
    return path;
  }

  HttpHeaders headers() {
    return headers;
  }

  /** The request body, decompressed when the client sent it compressed (never null). */
  byte[] body() {
    return body;
  }

  /** Closes the connection after this answer (the server is draining). */
  void closeAfter() {
    closeAfter = true;
  }

  /**
   * Calls a method of the server's gRPC services with this request's headers and answers with
   * {@code onOk} when it succeeds, or with the call's error.
   */
  <Q, R> void call(GrpcBridge bridge, MethodDescriptor<Q, R> method, Q request, Consumer<R> onOk) {
    call =
        bridge.call(
            method,
            request,
            headers,
            (response, status) -> {
              if (!status.isOk()) {
                fail(status);
                return;
              }
              try {
                onOk.accept(response);
              } catch (HttpFailure e) {
                fail(e.status(), e.getMessage());
              }
            });
  }

  /** Cancels the gRPC call in progress, if any: the client is gone. */
  void cancel() {
    GrpcBridge.Handle h = call;
    if (h != null) {
      h.cancel();
    }
  }

  void json(byte[] json) {
    respond(HttpResponseStatus.OK, JSON, Unpooled.wrappedBuffer(json), null);
  }

  /** An answer with no body, as Triton gives health checks. */
  void empty(HttpResponseStatus status) {
    respond(status, null, Unpooled.EMPTY_BUFFER, null);
  }

  void fail(Status status) {
    fail(HttpErrors.status(status), HttpErrors.message(status));
  }

  void fail(HttpResponseStatus status, String message) {
    HttpHeaders extra = null;
    if (status.code() == 401) {
      extra = new DefaultHttpHeaders();
      extra.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    respond(status, JSON, Unpooled.wrappedBuffer(HttpErrors.body(message)), extra);
  }

  /**
   * Writes the response; the first answer wins, later ones are dropped (and their body released).
   *
   * @param contentType {@code null} for none
   * @param extra more headers, or {@code null}
   */
  void respond(HttpResponseStatus status, String contentType, ByteBuf content, HttpHeaders extra) {
    if (!answered.compareAndSet(false, true)) {
      content.release();
      return;
    }
    if (ctx.executor().inEventLoop()) {
      write(status, contentType, content, extra);
    } else {
      ctx.executor().execute(() -> write(status, contentType, content, extra));
    }
  }

  /** Runs work on the connection's event loop (encoding an answer, for instance). */
  void onLoop(Runnable r) {
    if (ctx.executor().inEventLoop()) {
      r.run();
    } else {
      ctx.executor().execute(r);
    }
  }

  private void write(
      HttpResponseStatus status, String contentType, ByteBuf content, HttpHeaders extra) {
    FullHttpResponse r = new DefaultFullHttpResponse(version, status, content);
    HttpHeaders h = r.headers();
    if (contentType != null) {
      h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    if (extra != null) {
      h.add(extra);
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    boolean close = !keepAlive || closeAfter;
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version.equals(HttpVersion.HTTP_1_0)) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.writeAndFlush(r)
        .addListener(
            f -> {
              if (close || !f.isSuccess()) {
                ctx.close();
              }
              finished.accept(this);
            });
  }

  /** A request the HTTP codec refuses before any call: its status and Triton's message. */
  static final class HttpFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient HttpResponseStatus status;

    HttpFailure(HttpResponseStatus status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    static HttpFailure badRequest(String message) {
      return new HttpFailure(HttpResponseStatus.BAD_REQUEST, message);
    }

    HttpResponseStatus status() {
      return status;
    }
  }
}
