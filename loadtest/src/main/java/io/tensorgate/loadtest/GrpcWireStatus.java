package io.tensorgate.loadtest;

import io.grpc.Status;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * How a gRPC client reads a call's outcome off HTTP/2, as the gRPC over HTTP/2 specification says:
 * {@code grpc-status} and its percent-encoded {@code grpc-message}, else the HTTP status of a
 * response that is not gRPC, else the RST_STREAM error code.
 */
final class GrpcWireStatus {

  /** Longest {@code grpc-message} kept; servers may send anything. */
  static final int MAX_MESSAGE_CHARS = 512;

  private static final Status DEADLINE_EXCEEDED =
      Status.DEADLINE_EXCEEDED.withDescription("context deadline exceeded");

  private GrpcWireStatus() {}

  /** The status for a {@code grpc-status} value and its raw {@code grpc-message} (may be null). */
  static Status fromTrailers(int code, CharSequence message) {
    Status status = Status.fromCodeValue(code);
    return message == null ? status : status.withDescription(decodeMessage(message));
  }

  /** The status of a call this client ended at its deadline, in grpc-go's words. */
  static Status deadlineExceeded() {
    return DEADLINE_EXCEEDED;
  }

  /**
   * A reset stream's status; a CANCEL once the call's deadline passed is the deadline's, as grpc-go
   * and grpc-java clients read it (a server enforcing grpc-timeout resets with CANCEL).
   */
  static Status fromReset(long errorCode, boolean pastDeadline) {
    Status status = fromReset(errorCode);
    return pastDeadline && status.getCode() == Status.Code.CANCELLED ? DEADLINE_EXCEEDED : status;
  }

  /** The status of calls on a connection that failed below HTTP/2 (TLS, socket). */
  static Status fromConnectionFailure(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    // Netty appends a hex dump of the offending bytes to some messages: one status per reason.
    int dump = text.indexOf(": ");
    if (text.length() > 80 && dump > 0) {
      text = text.substring(0, dump);
    }
    return Status.UNAVAILABLE.withDescription("connection failed: " + text);
  }

  /** grpc-java's mapping of a reset stream's HTTP/2 error code. */
  static Status fromReset(long errorCode) {
    Http2Error error = Http2Error.valueOf(errorCode);
    Status status =
        error == null
            ? Status.INTERNAL
            : switch (error) {
              case REFUSED_STREAM -> Status.UNAVAILABLE;
              case CANCEL -> Status.CANCELLED;
              case ENHANCE_YOUR_CALM -> Status.RESOURCE_EXHAUSTED;
              case INADEQUATE_SECURITY -> Status.PERMISSION_DENIED;
              case HTTP_1_1_REQUIRED -> Status.UNKNOWN;
              default -> Status.INTERNAL;
            };
    String name = error == null ? Long.toString(errorCode) : error.name();
    return status.withDescription("stream reset by the server: " + name);
  }

  /** The status of a response without {@code grpc-status}, from its HTTP status. */
  static Status fromHttpStatus(int httpStatus) {
    Status status =
        switch (httpStatus) {
          case 400 -> Status.INTERNAL;
          case 401 -> Status.UNAUTHENTICATED;
          case 403 -> Status.PERMISSION_DENIED;
          case 404 -> Status.UNIMPLEMENTED;
          case 429, 502, 503, 504 -> Status.UNAVAILABLE;
          default -> Status.UNKNOWN;
        };
    return status.withDescription("HTTP status code " + httpStatus);
  }

  /** Undoes the percent-encoding of {@code grpc-message}; caps the result. */
  static String decodeMessage(CharSequence raw) {
    int length = Math.min(raw.length(), MAX_MESSAGE_CHARS * 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(length);
    for (int i = 0; i < length; i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < length) {
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high >= 0 && low >= 0) {
          bytes.write(high << 4 | low);
          i += 2;
          continue;
        }
      }
      bytes.write(c);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    return text.length() > MAX_MESSAGE_CHARS ? text.substring(0, MAX_MESSAGE_CHARS) + "..." : text;
  }
}
