package io.tensorgate.loadtest;

import com.google.protobuf.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The body of one call, serialized and gRPC-framed once (per message: a compressed flag, a 4-byte
 * big-endian length, the message) and sent as it is on every call. A unary call holds one message;
 * a streaming call holds every message it sends before half-closing. Thread-safe: {@link
 * #retainedFrames()} may be called from any thread. Created before a run, released by its owner
 * after it.
 */
final class EncodedRequest implements AutoCloseable {

  private final List<Message> messages;
  private final boolean gzip;
  // Pooled, so that retainedSlice() hands out recycled slices instead of new objects.
  private final ByteBuf frames;

  private EncodedRequest(List<Message> messages, boolean gzip, ByteBuf frames) {
    this.messages = messages;
    this.gzip = gzip;
    this.frames = frames;
  }

  /**
   * Serializes and frames the messages.
   *
   * @param gzip compress every message (the call must then carry {@code grpc-encoding: gzip})
   */
  static EncodedRequest of(List<? extends Message> messages, boolean gzip) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a call needs at least one message");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Message message : messages) {
      byte[] body = gzip ? gzip(message.toByteArray()) : message.toByteArray();
      out.write(gzip ? 1 : 0);
      out.write(body.length >>> 24);
      out.write(body.length >>> 16);
      out.write(body.length >>> 8);
      out.write(body.length);
      out.writeBytes(body);
    }
    byte[] bytes = out.toByteArray();
    ByteBuf frames = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    return new EncodedRequest(List.copyOf(messages), gzip, frames);
  }

  static EncodedRequest of(Message message) {
    return of(List.of(message), false);
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The messages, as built (for transports that send objects, and for reports). */
  List<Message> messages() {
    return messages;
  }

  /** The first message. */
  Message message() {
    return messages.get(0);
  }

  boolean gzip() {
    return gzip;
  }

  /** A new reference to the framed bytes; whoever writes it releases it. */
  ByteBuf retainedFrames() {
    return frames.retainedSlice();
  }

  /** Framed size in bytes. */
  int size() {
    return frames.readableBytes();
  }

  /** A copy of the framed bytes, exactly as they go on the wire (h2load's {@code -d} file). */
  byte[] bytes() {
    return ByteBufUtil.getBytes(frames);
  }

  @Override
  public void close() {
    if (frames.refCnt() > 0) {
      frames.release();
    }
  }

  @Override
  public String toString() {
    return "EncodedRequest[" + messages.size() + " message(s), " + size() + " bytes]";
  }
}
