package io.tensorgate.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HPACK encoder that never uses the dynamic table, so that a header block does not depend on the
 * blocks before it: the client's request headers are encoded once and the same bytes are written
 * for every call (Netty's stateful encoder re-encoded them each time: 16 % of the client's
 * event-loop CPU). Each block starts with a dynamic table size update to 0, which keeps the
 * server's decoder consistent whatever SETTINGS_HEADER_TABLE_SIZE it announces; fields use the
 * static table where RFC 7541 has them, else literals without indexing, without Huffman coding.
 * Used by one connection's frame writer, on its event loop.
 */
final class StaticHpackEncoder implements Http2HeadersEncoder, Http2HeadersEncoder.Configuration {

  private static final Map<String, Integer> STATIC_NAMES =
      Map.of(
          ":authority", 1,
          ":method", 2,
          ":path", 4,
          ":scheme", 6,
          "content-type", 31,
          "user-agent", 58);
  private static final Map<String, Integer> STATIC_FIELDS =
      Map.of(":method: POST", 3, ":method: GET", 2, ":scheme: http", 6, ":scheme: https", 7);

  private long maxHeaderTableSize = 4096;
  private long maxHeaderListSize = Long.MAX_VALUE;
  private Http2Headers cachedHeaders;
  private byte[] cachedBlock;

  @Override
  public void encodeHeaders(int streamId, Http2Headers headers, ByteBuf buffer) {
    // Calls share one immutable headers object: identity is the cache key.
    if (headers != cachedHeaders) {
      cachedBlock = encode(headers);
      cachedHeaders = headers;
    }
    buffer.writeBytes(cachedBlock);
  }

  /** The block for {@code headers}: a table size update to 0, then every field. */
  static byte[] encode(Http2Headers headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    integer(out, 0x20, 5, 0);
    for (Map.Entry<CharSequence, CharSequence> header : headers) {
      String name = header.getKey().toString();
      String value = header.getValue().toString();
      Integer field = STATIC_FIELDS.get(name + ": " + value);
      if (field != null) {
        integer(out, 0x80, 7, field);
        continue;
      }
      Integer nameIndex = STATIC_NAMES.get(name);
      if (nameIndex != null) {
        integer(out, 0x00, 4, nameIndex);
      } else {
        out.write(0x00);
        string(out, name);
      }
      string(out, value);
    }
    return out.toByteArray();
  }

  /** RFC 7541 5.1: an integer with an N-bit prefix, after the first byte's flag bits. */
  private static void integer(ByteArrayOutputStream out, int flags, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(flags | value);
      return;
    }
    out.write(flags | max);
    int rest = value - max;
    while (rest >= 0x80) {
      out.write((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.write(rest);
  }

  /** RFC 7541 5.2: a string literal, not Huffman coded. */
  private static void string(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    integer(out, 0x00, 7, bytes.length);
    out.writeBytes(bytes);
  }

  @Override
  public Configuration configuration() {
    return this;
  }

  @Override
  public void maxHeaderTableSize(long max) {
    // Blocks use no dynamic table; any size the server allows is fine.
    this.maxHeaderTableSize = max;
  }

  @Override
  public long maxHeaderTableSize() {
    return maxHeaderTableSize;
  }

  @Override
  public void maxHeaderListSize(long max) {
    this.maxHeaderListSize = max;
  }

  @Override
  public long maxHeaderListSize() {
    return maxHeaderListSize;
  }
}
