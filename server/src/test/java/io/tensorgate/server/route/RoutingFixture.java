package io.tensorgate.server.route;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TensorgateServerBuilder;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A server with the scripted model {@code m} (versions 1 and 2) and routing stubs. */
final class RoutingFixture implements AutoCloseable {
  final RunningServer running;
  final String model;

  private RoutingFixture(RunningServer running, String model) {
    this.running = running;
    this.model = model;
  }

  /** Writes model {@code model} with versions 1 and 2 into {@code repo}. */
  static void writeModel(Path repo, String model) {
    ScriptedBackend.reset(model);
    ScriptedBackend.writeModel(repo, model, "", 1, 2);
  }

  static RoutingFixture start(Path repo, String model, RoutingOptions options) throws Exception {
    return start(TensorgateServer.builder().modelRepository(repo).routing(options), model);
  }

  static RoutingFixture start(TensorgateServerBuilder builder, String model) throws Exception {
    return new RoutingFixture(RunningServer.start(builder), model);
  }

  static RoutingOptions fast() {
    return new RoutingOptions().rolloutTick(java.time.Duration.ofMillis(20));
  }

  ManagedChannel channel() {
    return running.channel;
  }

  RoutingServiceGrpc.RoutingServiceBlockingStub admin() {
    return RoutingServiceGrpc.newBlockingStub(running.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  GetRoutingResponse routing() {
    return admin().getRouting(GetRoutingRequest.newBuilder().setModelName(model).build());
  }

  static ModelInferRequest request(String model, String version, int value) {
    return Requests.gate(model, value).toBuilder().setModelVersion(version).build();
  }

  ModelInferResponse infer(String version, int value) {
    return running.blocking().modelInfer(request(model, version, value));
  }

  ModelInferResponse inferWithKey(String key) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("tensorgate-routing-key", Metadata.ASCII_STRING_MARSHALLER), key);
    return running
        .blocking()
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
        .modelInfer(request(model, "", 1));
  }

  @Override
  public void close() throws InterruptedException {
    running.close();
  }
}
