package io.tensorgate.client;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on a free loopback port with a scripted inference service, recording the headers of
 * every call: for client behaviour a real Tensorgate cannot be made to show on demand.
 */
final class FakeServer implements AutoCloseable {
  final List<Metadata> headers = new CopyOnWriteArrayList<>();
  private final Server server;

  FakeServer(GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase service) throws IOException {
    ServerInterceptor record =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata h, ServerCallHandler<Q, R> next) {
            headers.add(h);
            return next.startCall(call, h);
          }
        };
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(service, record))
            .build()
            .start();
  }

  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
