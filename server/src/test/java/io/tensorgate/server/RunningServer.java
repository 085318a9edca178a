package io.tensorgate.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Tensorgate server on a free loopback port with a client channel to it; closes both. */
public final class RunningServer implements AutoCloseable {
  public final TensorgateServer server;
  public final ManagedChannel channel;

  private RunningServer(TensorgateServer server) {
    this.server = server;
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
  }

  public static RunningServer start(Path repository) throws Exception {
    return start(TensorgateServer.builder().modelRepository(repository));
  }

  public static RunningServer start(Path repository, ControlMode mode, List<String> load)
      throws Exception {
    return start(
        TensorgateServer.builder().modelRepository(repository).controlMode(mode).loadModels(load));
  }

  public static RunningServer start(TensorgateServerBuilder builder) throws Exception {
    return new RunningServer(
        builder.grpcPort(0).metricsPort(0).exitTimeout(Duration.ofSeconds(10)).build().start());
  }

  public GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async() {
    return GRPCInferenceServiceGrpc.newStub(channel);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
  }
}
