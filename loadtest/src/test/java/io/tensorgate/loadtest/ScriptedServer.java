package io.tensorgate.loadtest;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerLiveResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.proto.inference.ServerReadyResponse;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A grpc-java server for transport tests: ServerLive answers at once; ServerReady holds every call
 * until {@link #releaseReady()}; the headers of every call are kept.
 */
final class ScriptedServer implements AutoCloseable {

  final List<Metadata> headers = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<ServerReadyResponse>> heldReady = new CopyOnWriteArrayList<>();
  // One permit per held call, taken by awaitHeld.
  private final Semaphore held = new Semaphore(0);
  private final AtomicInteger connections = new AtomicInteger();
  private final Server server;

  /**
   * @param maxStreams SETTINGS_MAX_CONCURRENT_STREAMS the server announces
   */
  ScriptedServer(int maxStreams) throws Exception {
    this(maxStreams, 0);
  }

  /**
   * @param maxStreams SETTINGS_MAX_CONCURRENT_STREAMS the server announces
   * @param maxConnectionAgeMillis after this the server sends GOAWAY on a connection; 0: never
   */
  ScriptedServer(int maxStreams, long maxConnectionAgeMillis) throws Exception {
    GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase service =
        new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
          @Override
          public void serverLive(
              ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
            response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
            response.onCompleted();
          }

          @Override
          public void serverReady(
              ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
            heldReady.add(response);
            held.release();
          }
        };
    ServerInterceptor keepHeaders =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
            headers.add(metadata);
            return next.startCall(call, metadata);
          }
        };
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .maxConcurrentCallsPerConnection(maxStreams)
            .addService(ServerInterceptors.intercept(service, keepHeaders))
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                  }
                });
    if (maxConnectionAgeMillis > 0) {
      builder
          .maxConnectionAge(maxConnectionAgeMillis, TimeUnit.MILLISECONDS)
          .maxConnectionAgeGrace(1, TimeUnit.SECONDS);
    }
    server = builder.build().start();
  }

  /** Connections the server accepted so far. */
  int connections() {
    return connections.get();
  }

  int port() {
    return server.getPort();
  }

  /** Waits until {@code count} more ServerReady calls are held; false after 10 s. */
  boolean awaitHeld(int count) throws InterruptedException {
    return held.tryAcquire(count, 10, TimeUnit.SECONDS);
  }

  void releaseReady() {
    for (StreamObserver<ServerReadyResponse> response : heldReady) {
      response.onNext(ServerReadyResponse.newBuilder().setReady(true).build());
      response.onCompleted();
    }
    heldReady.clear();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
