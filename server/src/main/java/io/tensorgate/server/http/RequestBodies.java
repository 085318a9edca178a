package io.tensorgate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Copies a request body out of Netty's buffers, inflating it first when the client sent {@code
 * Content-Encoding: gzip} or {@code deflate} (zlib, as browsers and Triton's clients send it; both
 * are told apart by their header, as Triton's zlib does). Inflating stops as soon as the output
 * passes the size limit, so a small bomb costs at most the limit in memory. Stateless.
 */
final class RequestBodies {
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;

  private RequestBodies() {}

  /**
   * @param contentEncoding the request's {@code Content-Encoding}, or {@code null}
   * @param max the most bytes a body may have, inflated or not
   * @throws HttpFailure Triton's 501 for an unknown coding, 400 for a corrupt or oversized one
   */
  static byte[] read(String contentEncoding, ByteBuf content, int max) {
    String coding =
        contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (coding) {
      case "":
      case "identity":
        return ByteBufUtil.getBytes(content);
      case "gzip":
      case "x-gzip":
      case "deflate":
        return content.isReadable() ? inflate(content, max) : new byte[0];
      default:
        throw new HttpFailure(HttpResponseStatus.NOT_IMPLEMENTED, "Unsupported compression type");
    }
  }

  private static byte[] inflate(ByteBuf content, int max) {
    boolean gzip =
        content.readableBytes() >= 2
            && content.getUnsignedByte(content.readerIndex()) == GZIP_MAGIC_0
            && content.getUnsignedByte(content.readerIndex() + 1) == GZIP_MAGIC_1;
    InputStream raw = new ByteBufInputStream(content.duplicate());
    try (InputStream in = gzip ? new GZIPInputStream(raw, 8192) : new InflaterInputStream(raw)) {
      return readAtMost(in, max, content.readableBytes());
    } catch (IOException e) {
      throw HttpFailure.badRequest("failed to decompress the request body: corrupt data");
    }
  }

  private static byte[] readAtMost(InputStream in, int max, int compressed) throws IOException {
    byte[] out = new byte[(int) Math.min(max, Math.max(64 << 10, (long) compressed * 4))];
    int n = 0;
    while (true) {
      if (n == out.length) {
        if (n >= max) {
          if (in.read() < 0) {
            return out;
          }
          throw HttpFailure.badRequest(
              "Decompressed data size exceeds the maximum allowed value of "
                  + max
                  + " bytes. Use --http-max-input-size to increase the limit.");
        }
        out = Arrays.copyOf(out, (int) Math.min(max, (long) n * 2));
      }
      int r = in.read(out, n, out.length - n);
      if (r < 0) {
        return n == out.length ? out : Arrays.copyOf(out, n);
      }
      n += r;
    }
  }
}
