package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.server.grpc.ErrorMessages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Triton's HTTP answer to a failed call: the status code its {@code HttpCodeFromError} gives the
 * error code (INTERNAL 500, NOT_FOUND 404, UNAVAILABLE 503, UNIMPLEMENTED 501, everything else
 * 400), plus the codes gRPC has and Triton does not (UNAUTHENTICATED 401, PERMISSION_DENIED 403,
 * RESOURCE_EXHAUSTED 429), and the body {@code {"error": "<the gRPC message>"}}. Stateless.
 */
final class HttpErrors {
  private static final JsonFactory JSON = new JsonFactory();

  /** Triton's prefix of a restricted-protocol refusal, which Triton's HTTP answers with 403. */
  private static final String RESTRICTED = "This protocol is restricted";

  private HttpErrors() {}

  static HttpResponseStatus status(Status status) {
    switch (status.getCode()) {
      case OK:
        return HttpResponseStatus.OK;
      case NOT_FOUND:
        return HttpResponseStatus.NOT_FOUND;
      case UNAVAILABLE:
        String d = status.getDescription();
        return d != null && d.startsWith(RESTRICTED)
            ? HttpResponseStatus.FORBIDDEN
            : HttpResponseStatus.SERVICE_UNAVAILABLE;
      case UNIMPLEMENTED:
        return HttpResponseStatus.NOT_IMPLEMENTED;
      case INTERNAL:
      case DATA_LOSS:
        return HttpResponseStatus.INTERNAL_SERVER_ERROR;
      case UNAUTHENTICATED:
        return HttpResponseStatus.UNAUTHORIZED;
      case PERMISSION_DENIED:
        return HttpResponseStatus.FORBIDDEN;
      case RESOURCE_EXHAUSTED:
        return HttpResponseStatus.TOO_MANY_REQUESTS;
      default:
        return HttpResponseStatus.BAD_REQUEST;
    }
  }

  /** The message of a failed call as the client sees it. */
  static String message(Status status) {
    String d = status.getDescription();
    if (d != null && !d.isEmpty()) {
      return d;
    }
    return status.getCode().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  /**
   * {@code {"error": message}} in UTF-8, the message passed through the same last check as every
   * gRPC error message (no class names, no server paths, no control characters, at most {@value
   * ErrorMessages#MAX_BYTES} bytes).
   */
  static byte[] body(String message) {
    message = ErrorMessages.sanitize(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length() + 16);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
