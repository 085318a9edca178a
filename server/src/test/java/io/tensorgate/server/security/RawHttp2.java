package io.tensorgate.server.security;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven HTTP/2 client over a plain socket, for sending what no well-behaved client sends
 * (ping and RST_STREAM floods) and reading how the server reacts.
 */
final class RawHttp2 implements AutoCloseable {
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int NO_ERROR = 0;
  static final int ENHANCE_YOUR_CALM = 0xb;

  /** {@link #awaitGoAwayOrTimeout}: the connection stayed open and quiet. */
  static final int STILL_OPEN = -2;

  private static final int END_HEADERS = 0x4;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  // Frames are gathered and sent in one write: a server that closes the connection halfway
  // through a flood must not turn the test's own writes into a broken pipe.
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  private RawHttp2(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects without saying anything yet. */
  static RawHttp2 connect(int port, int readTimeoutMillis) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(readTimeoutMillis);
    return new RawHttp2(s);
  }

  /** The client connection preface and an empty SETTINGS frame (gathered, see {@link #send}). */
  void preface() throws IOException {
    pending.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  void ping(long data) throws IOException {
    frame(PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  /** Opens a stream with a gRPC request's headers, leaving it half-open. */
  void openStream(int streamId) throws IOException {
    Http2Headers h =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .path("/inference.GRPCInferenceService/ServerLive")
            .authority("localhost")
            .set("content-type", "application/grpc")
            .set("te", "trailers");
    ByteBuf buf = Unpooled.buffer();
    try {
      encoder.encodeHeaders(streamId, h, buf);
      byte[] block = new byte[buf.readableBytes()];
      buf.readBytes(block);
      frame(HEADERS, END_HEADERS, streamId, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    } finally {
      buf.release();
    }
  }

  void reset(int streamId) throws IOException {
    frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(8).array());
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8));
    b.put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream).put(payload);
    pending.write(b.array(), 0, b.capacity());
  }

  /** Sends the frames gathered since the last send, in one write. */
  void send() throws IOException {
    out.write(pending.toByteArray());
    out.flush();
    pending.reset();
  }

  /**
   * Reads frames until the server sends GOAWAY or closes the connection.
   *
   * @return the GOAWAY error code, -1 when the server closed the connection without one
   * @throws SocketTimeoutException when the server does neither within the read timeout
   */
  int awaitGoAwayOrClose() throws IOException {
    try {
      while (true) {
        int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == GOAWAY) {
          return ByteBuffer.wrap(payload, 4, 4).getInt();
        }
      }
    } catch (EOFException e) {
      return -1;
    }
  }

  /**
   * Reads frames until {@code n} PING acknowledgements arrived.
   *
   * @return true when they did before any GOAWAY; false on GOAWAY or when the server closed
   * @throws SocketTimeoutException when neither happens within the read timeout
   */
  boolean pingsAcknowledged(int n) throws IOException {
    int acks = 0;
    try {
      while (acks < n) {
        int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt();
        in.readFully(new byte[length]);
        if (type == GOAWAY) {
          return false;
        }
        if (type == PING && (flags & 0x1) != 0) {
          acks++;
        }
      }
      return true;
    } catch (EOFException e) {
      return false;
    }
  }

  /**
   * As {@link #awaitGoAwayOrClose}, but a connection that stays open for the read timeout is an
   * answer too.
   *
   * @return the GOAWAY error code, -1 when closed without one, {@link #STILL_OPEN} on timeout
   */
  int awaitGoAwayOrTimeout() throws IOException {
    try {
      return awaitGoAwayOrClose();
    } catch (SocketTimeoutException e) {
      return STILL_OPEN;
    } catch (IOException reset) {
      return -1;
    }
  }

  /** As {@link #closedByServer()}, waiting at most {@code millis}. */
  boolean closedByServer(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return closedByServer();
  }

  /** Whether the server closed the connection (read end of stream) within the read timeout. */
  boolean closedByServer() throws IOException {
    try {
      return socket.getInputStream().read(new byte[4096]) < 0 || drainUntilClosed();
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // Connection reset: closed as well.
      return true;
    }
  }

  private boolean drainUntilClosed() throws IOException {
    byte[] buf = new byte[4096];
    while (socket.getInputStream().read(buf) >= 0) {
      // Whatever the server said before closing.
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
