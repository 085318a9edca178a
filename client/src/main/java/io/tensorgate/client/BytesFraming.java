package io.tensorgate.client;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Triton's BYTES layout: each element is a 4-byte little-endian length, then its bytes. */
final class BytesFraming {
  private BytesFraming() {}

  static ByteBuffer encode(byte[][] elements) {
    long total = 0;
    for (byte[] e : elements) {
      total += 4L + e.length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("BYTES tensor larger than 2 GiB");
    }
    ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      b.putInt(e.length).put(e);
    }
    return b.flip();
  }

  /**
   * Splits framed bytes into exactly {@code count} elements.
   *
   * @throws IllegalStateException when the bytes are not {@code count} well-formed elements
   */
  static byte[][] decode(ByteBuffer framed, int count, String tensor) {
    ByteBuffer b = framed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      if (b.remaining() < 4) {
        throw malformed(tensor, "element " + i + " has no length prefix");
      }
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw malformed(tensor, "element " + i + " claims more bytes than remain");
      }
      out[i] = new byte[len];
      b.get(out[i]);
    }
    if (b.hasRemaining()) {
      throw malformed(tensor, b.remaining() + " bytes follow the last element");
    }
    return out;
  }

  private static IllegalStateException malformed(String tensor, String why) {
    return new IllegalStateException(
        "malformed BYTES tensor '" + Shapes.clip(tensor) + "': " + why);
  }
}
