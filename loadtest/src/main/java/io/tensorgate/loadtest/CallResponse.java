package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What the server answered to one call of the lean client, read only as far as its status: {@code
 * :status}, the trailers' {@code grpc-status} and {@code grpc-message}, a RST_STREAM, and the
 * response's size; its message only when a {@link ResponseCheck} wants it. Recycled from call to
 * call.
 *
 * <p>Threading: the connection's event loop only.
 */
final class CallResponse {
  private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");

  private int httpStatus;
  private int grpcStatus;
  private CharSequence grpcMessage;
  private long resetCode;
  private long bytes;
  private CompositeByteBuf body;

  /**
   * Starts reading a new call's response.
   *
   * @param bodies where the message is gathered for a {@link ResponseCheck}; null to drop it
   */
  void start(ByteBufAllocator bodies) {
    httpStatus = -1;
    grpcStatus = -1;
    resetCode = -1;
    if (bodies != null) {
      body = bodies.compositeBuffer();
    }
  }

  /** Forgets the call and frees what it kept. */
  void reset() {
    grpcMessage = null;
    bytes = 0;
    if (body != null) {
      body.release();
      body = null;
    }
  }

  /** Reads a HEADERS frame: the response headers, then the trailers. */
  void onHeaders(Http2Headers headers) {
    if (httpStatus < 0) {
      CharSequence status = headers.status();
      httpStatus = status == null ? 0 : AsciiString.of(status).parseInt();
    }
    CharSequence status = headers.get(GRPC_STATUS);
    if (status != null) {
      grpcStatus = AsciiString.of(status).parseInt();
      if (grpcStatus != 0) {
        grpcMessage = headers.get(GRPC_MESSAGE);
      }
    }
  }

  /**
   * Counts a DATA frame, keeping it when the message is wanted.
   *
   * @return false when the response grew past {@code maxBytes} (then nothing is kept)
   */
  boolean onData(ByteBuf data, long maxBytes) {
    bytes += data.readableBytes();
    if (bytes > maxBytes) {
      return false;
    }
    if (body != null) {
      body.addComponent(true, data.retain());
    }
    return true;
  }

  void onReset(long errorCode) {
    resetCode = errorCode;
  }

  /**
   * The call's outcome once its stream closed.
   *
   * @param timeoutNanos the calls' timeout (0: none), to tell a reset past it from others
   * @param startNanos when the call started ({@link System#nanoTime})
   * @param closed why the connection takes no new calls, or null
   */
  Status status(ResponseCheck check, long timeoutNanos, long startNanos, Status closed) {
    if (grpcStatus == 0) {
      return check == null ? Status.OK : check.check(body);
    }
    if (grpcStatus > 0) {
      return GrpcWireStatus.fromTrailers(grpcStatus, grpcMessage);
    }
    if (resetCode >= 0) {
      return GrpcWireStatus.fromReset(
          resetCode, timeoutNanos > 0 && System.nanoTime() - startNanos >= timeoutNanos);
    }
    if (httpStatus > 0 && httpStatus != 200) {
      return GrpcWireStatus.fromHttpStatus(httpStatus);
    }
    return closed != null
        ? closed
        : Status.INTERNAL.withDescription("stream closed without grpc-status");
  }
}
