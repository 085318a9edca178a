package io.tensorgate.server;

import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Client channels that send messages marked gzip-compressed whose bytes are not what gzip would
 * make: what a broken or hostile client sends. Calls use them with {@code withCompression("gzip")}.
 */
public final class CorruptGzip {
  /** A gzip member header (RFC 1952: magic, deflate, no flags, no time, unknown OS). */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private CorruptGzip() {}

  /** Messages go out as they are, under the gzip flag: the server finds no gzip header. */
  public static ManagedChannel notGzip(int port) {
    return channel(port, os -> os);
  }

  /**
   * Messages go out after a valid gzip header, their own bytes standing in for the deflate data:
   * the header reads, the data does not inflate.
   */
  public static ManagedChannel corruptDeflate(int port) {
    return channel(
        port,
        os ->
            new FilterOutputStream(os) {
              private boolean started;

              @Override
              public void write(int b) throws IOException {
                header();
                out.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                header();
                out.write(b, off, len);
              }

              private void header() throws IOException {
                if (!started) {
                  started = true;
                  out.write(HEADER);
                }
              }
            });
  }

  private interface Wrap {
    OutputStream wrap(OutputStream os) throws IOException;
  }

  private static ManagedChannel channel(int port, Wrap wrap) {
    Compressor fake =
        new Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) throws IOException {
            return wrap.wrap(os);
          }
        };
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(fake);
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .compressorRegistry(registry)
        .build();
  }
}
