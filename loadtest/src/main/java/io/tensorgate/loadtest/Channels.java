package io.tensorgate.loadtest;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N separate channels to one target; each channel is its own HTTP/2 connection. Netty picks epoll
 * when it is on the class path.
 */
final class Channels implements AutoCloseable {

  static final int MAX_MESSAGE_BYTES = 256 << 20;

  private final List<ManagedChannel> channels = new ArrayList<>();

  Channels(String target, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("connections must be >= 1, got " + count);
    }
    for (int i = 0; i < count; i++) {
      channels.add(
          NettyChannelBuilder.forTarget(target)
              .usePlaintext()
              // Completion callbacks only record and send the next request: run them on the
              // event loop instead of paying a thread hop per response.
              .directExecutor()
              .disableRetry()
              .maxInboundMessageSize(MAX_MESSAGE_BYTES)
              .build());
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
