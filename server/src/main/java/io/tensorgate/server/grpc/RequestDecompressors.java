package io.tensorgate.server.grpc;

import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The server's decompressors for request messages: gzip and, as Triton (gRPC C++) accepts and
 * Triton's clients offer, deflate (zlib format). gRPC-java's own gzip reads the gzip header as soon
 * as a message arrives, in its deframer, where a message that is marked gzip but is not fails the
 * call with UNKNOWN and a logged stack trace; and it has no deflate. These read nothing before the
 * first read, inside the method's request parser, so bad compressed data is a parse failure like
 * any other: {@link ParseGuard} answers it with INVALID_ARGUMENT and counts it as a client fault.
 */
public final class RequestDecompressors {
  private RequestDecompressors() {}

  /** gRPC's default decompressors with gzip replaced and deflate added. */
  public static DecompressorRegistry registry() {
    return DecompressorRegistry.getDefaultInstance()
        .with(new Lazy("gzip", GZIPInputStream::new), true)
        .with(new Lazy("deflate", InflaterInputStream::new), true);
  }

  private interface Opener {
    InputStream open(InputStream compressed) throws IOException;
  }

  private record Lazy(String encoding, Opener opener) implements Decompressor {
    @Override
    public String getMessageEncoding() {
      return encoding;
    }

    @Override
    public InputStream decompress(InputStream is) {
      return new LazyStream(is, opener);
    }
  }

  /** A decompressing stream opened on the first read. Used by one thread, the parser's. */
  private static final class LazyStream extends InputStream {
    private final InputStream compressed;
    private final Opener opener;
    private InputStream plain;

    LazyStream(InputStream compressed, Opener opener) {
      this.compressed = compressed;
      this.opener = opener;
    }

    private InputStream plain() throws IOException {
      if (plain == null) {
        plain = opener.open(compressed);
      }
      return plain;
    }

    @Override
    public int read() throws IOException {
      return plain().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return plain().read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return plain == null ? 0 : plain.available();
    }

    @Override
    public void close() throws IOException {
      if (plain != null) {
        plain.close();
      } else {
        compressed.close();
      }
    }
  }
}
