package io.tensorgate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses an inference response as Triton does: only a successful one (error bodies stay plain,
 * so every client can read them), in the coding the client's {@code Accept-Encoding} weighs highest
 * among {@code gzip}, {@code deflate} (zlib) and {@code identity}. Stateless.
 */
final class ResponseCompression {
  private ResponseCompression() {}

  /** The coding to answer in, or {@code null} for none. */
  static String choose(String acceptEncoding) {
    if (acceptEncoding == null) {
      return null;
    }
    String best = null;
    double weight = 0;
    for (String part : acceptEncoding.split(",", 16)) {
      String[] p = part.split(";", 2);
      String coding = p[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      if (p.length == 2) {
        String param = p[1].trim();
        if (!param.startsWith("q=")) {
          continue;
        }
        try {
          q = Double.parseDouble(param.substring(2).trim());
        } catch (NumberFormatException e) {
          continue;
        }
      }
      boolean known =
          coding.equals("gzip") || coding.equals("deflate") || coding.equals("identity");
      if (known && q > weight) {
        best = coding;
        weight = q;
      }
    }
    return "identity".equals(best) ? null : best;
  }

  /** The body compressed in {@code coding}; the input is released. */
  static ByteBuf compress(ByteBuf body, String coding, ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer(Math.max(64, body.readableBytes() / 2));
    try {
      try (OutputStream z =
          coding.equals("gzip")
              ? new GZIPOutputStream(new ByteBufOutputStream(out), 8192)
              : new DeflaterOutputStream(new ByteBufOutputStream(out), true)) {
        body.readBytes(z, body.readableBytes());
      }
      return out;
    } catch (IOException e) {
      out.release();
      throw new UncheckedIOException(e);
    } finally {
      body.release();
    }
  }
}
