package io.tensorgate.loadtest;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A bare grpc-java server (Netty, epoll when present) that answers ModelInfer by copying inputs to
 * outputs: the transport ceiling a real server is compared with. Usable from tests:
 *
 * <pre>{@code
 * try (EchoServer echo = EchoServer.builder().port(0).start()) {
 *   int port = echo.port();
 * }
 * }</pre>
 */
public final class EchoServer implements AutoCloseable {

  private final Server server;

  private EchoServer(Server server) {
    this.server = server;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The bound port (the chosen one when built with port 0). */
  public int port() {
    return server.getPort();
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, cancels running ones and waits up to 5 s. */
  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Configures an {@link EchoServer}; defaults: 127.0.0.1:8001, the {@code simple} signature. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8001;
    private ModelSignature signature = ModelSignature.simple();
    private Path sharedMemoryDirectory = Path.of("/dev/shm");

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port to bind; 0 picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The model the server describes and answers for. */
    public Builder signature(ModelSignature signature) {
      this.signature = Objects.requireNonNull(signature, "signature");
      return this;
    }

    /** Where shared-memory keys ("/name") are opened; /dev/shm by default. */
    public Builder sharedMemoryDirectory(Path directory) {
      this.sharedMemoryDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Binds and starts; fails if the port cannot be bound. */
    public EchoServer start() throws IOException {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
              // Handlers copy and answer without blocking: run them on the event loop, no hop.
              .directExecutor()
              .maxInboundMessageSize(Channels.MAX_MESSAGE_BYTES)
              .addService(new EchoService(signature, new EchoSharedMemory(sharedMemoryDirectory)))
              .build()
              .start();
      return new EchoServer(server);
    }
  }
}
