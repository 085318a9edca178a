package io.tensorgate.loadtest;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * grpc-java channels to the target, each its own HTTP/2 connection: for the control calls of a run
 * (ModelMetadata, ModelConfig, ModelStatistics, shared-memory registration) and for the long-lived
 * ModelStreamInfer streams of {@code run --stream}. The load itself goes through {@link
 * Http2Transport}. Netty picks epoll when it is on the class path.
 */
final class Channels implements AutoCloseable {

  static final int MAX_MESSAGE_BYTES = 256 << 20;

  private final List<ManagedChannel> channels = new ArrayList<>();

  /** Plaintext channels without metadata. */
  Channels(String target, int count) throws SSLException {
    this(Http2Transport.Target.parse(target), count, TransportSecurity.plaintext(), null, Map.of());
  }

  /**
   * @param authority the {@code :authority} to send (and, with TLS, to verify), or null
   * @param metadata headers sent on every call (values of {@code -bin} names base64 encoded)
   */
  Channels(
      Http2Transport.Target target,
      int count,
      TransportSecurity security,
      String authority,
      Map<String, String> metadata)
      throws SSLException {
    if (count < 1) {
      throw new IllegalArgumentException("connections must be >= 1, got " + count);
    }
    Metadata headers = new Metadata();
    metadata.forEach(
        (name, value) -> {
          if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            headers.put(
                Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER),
                Base64.getDecoder().decode(value));
          } else {
            headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
          }
        });
    for (int i = 0; i < count; i++) {
      NettyChannelBuilder builder =
          NettyChannelBuilder.forAddress(target.host(), target.port())
              // Completion callbacks only record and send the next request: run them on the
              // event loop instead of paying a thread hop per response.
              .directExecutor()
              .disableRetry()
              .maxInboundMessageSize(MAX_MESSAGE_BYTES)
              .intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
      if (security.insecure()) {
        builder.usePlaintext();
      } else {
        builder.sslContext(security.grpcContext());
      }
      String name = authority != null ? authority : security.insecure() ? null : security.cname();
      if (name != null && !name.isEmpty()) {
        builder.overrideAuthority(name);
      }
      channels.add(builder.build());
    }
  }

  List<ManagedChannel> all() {
    return List.copyOf(channels);
  }

  ManagedChannel first() {
    return channels.get(0);
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
