package io.tensorgate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/infer}: the request becomes a ModelInfer call (see
 * {@link InferRequestReader}), whose answer is written as Triton writes it ({@link
 * InferResponseWriter}) on the connection's event loop, not on the thread that ran the model.
 */
final class InferEndpoint {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /** Request parameters Triton reserves; a forwarded header may not set them. */
  private static final Set<String> RESERVED =
      Set.of(
          "sequence_id",
          "priority",
          "timeout",
          "sequence_start",
          "sequence_end",
          "headers",
          "binary_data_output");

  private final GrpcBridge bridge;
  private final Pattern headerForward;
  private final int maxInputSize;

  /**
   * @param headerForward headers to forward as parameters, or {@code null}
   * @param maxInputSize the most bytes one JSON input may decode to
   */
  InferEndpoint(GrpcBridge bridge, Pattern headerForward, int maxInputSize) {
    this.bridge = Objects.requireNonNull(bridge, "bridge");
    this.headerForward = headerForward;
    this.maxInputSize = maxInputSize;
  }

  void infer(HttpExchange ex, String model, String version) {
    byte[] body = ex.body();
    int headerLength = headerLength(ex.headers(), body.length);
    if (headerLength == 0) {
      throw HttpFailure.badRequest(
          "raw binary requests (Inference-Header-Content-Length: 0) are not supported; send the"
              + " JSON inference header before the binary data");
    }
    String coding = ResponseCompression.choose(ex.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    InferRequestReader.Decoded d =
        InferRequestReader.read(
            model, version, body, headerLength, maxInputSize, forwarded(ex.headers()));
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getModelInferMethod(),
        d.request(),
        response ->
            ex.onLoop(
                () -> {
                  InferResponseWriter.Encoded e;
                  try {
                    e = InferResponseWriter.write(response, d.plan(), alloc);
                  } catch (HttpFailure f) {
                    ex.fail(f.status(), f.getMessage());
                    return;
                  }
                  HttpHeaders h = new DefaultHttpHeaders();
                  if (e.binary()) {
                    h.setInt(HEADER_LENGTH, e.jsonLength());
                  }
                  ByteBuf content = e.body();
                  if (coding != null) {
                    content = ResponseCompression.compress(content, coding, alloc);
                    h.set(HttpHeaderNames.CONTENT_ENCODING, coding);
                  }
                  ex.respond(
                      HttpResponseStatus.OK,
                      e.binary() ? "application/octet-stream" : "application/json",
                      content,
                      h);
                }));
  }

  /**
   * The JSON header's length: {@code Inference-Header-Content-Length}, or the whole body.
   *
   * @throws HttpFailure Triton's 400 for a value that is not a number or is past the body
   */
  static int headerLength(HttpHeaders headers, int bodyLength) {
    String v = headers.get(HEADER_LENGTH);
    if (v == null) {
      return bodyLength;
    }
    String shown = v.length() > 32 ? v.substring(0, 32) + "..." : v;
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw HttpFailure.badRequest("Unable to parse " + HEADER_LENGTH + ", got: " + shown);
    }
    if (n < 0 || n > bodyLength) {
      throw HttpFailure.badRequest(
          "inference header size should be in range (0, " + bodyLength + "), got: " + shown);
    }
    return (int) n;
  }

  /** Headers named by {@code --http-header-forward-pattern}, as request parameters. */
  private Map<String, String> forwarded(HttpHeaders headers) {
    if (headerForward == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      String name = h.getKey();
      if (!headerForward.matcher(name).find()) {
        continue;
      }
      if (RESERVED.contains(name) || name.startsWith("triton_")) {
        throw HttpFailure.badRequest(
            "Header '" + name + "' is reserved for Triton usage and cannot be forwarded.");
      }
      out.put(name, h.getValue());
    }
    return out;
  }
}
