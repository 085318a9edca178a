package io.tensorgate.server.grpc;

import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The server's gzip decompressor for request messages. gRPC's own reads the gzip header as soon as
 * a message arrives, in its deframer, where a message that is marked gzip but is not fails the call
 * with UNKNOWN and a logged stack trace. This one reads the header on the first read, inside the
 * method's request parser, so a bad header is a parse failure like any other: {@link ParseGuard}
 * answers it with INVALID_ARGUMENT and counts it as a client fault.
 */
public final class RequestGzip implements Decompressor {
  private RequestGzip() {}

  /** gRPC's default decompressors with gzip replaced by this one. */
  public static DecompressorRegistry registry() {
    return DecompressorRegistry.getDefaultInstance().with(new RequestGzip(), true);
  }

  @Override
  public String getMessageEncoding() {
    return "gzip";
  }

  @Override
  public InputStream decompress(InputStream is) {
    return new Lazy(is);
  }

  /** A {@link GZIPInputStream} opened on the first read. Used by one thread, the parser's. */
  private static final class Lazy extends InputStream {
    private final InputStream compressed;
    private GZIPInputStream gzip;

    Lazy(InputStream compressed) {
      this.compressed = compressed;
    }

    private InputStream gzip() throws IOException {
      if (gzip == null) {
        gzip = new GZIPInputStream(compressed);
      }
      return gzip;
    }

    @Override
    public int read() throws IOException {
      return gzip().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return gzip().read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return gzip == null ? 0 : gzip.available();
    }

    @Override
    public void close() throws IOException {
      if (gzip != null) {
        gzip.close();
      } else {
        compressed.close();
      }
    }
  }
}
