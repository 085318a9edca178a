package io.tensorgate.client;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.ModelStatisticsResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerMetadataResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link TensorgateClient} over grpc-java stubs. */
final class GrpcTensorgateClient implements TensorgateClient {
  private final Calls calls;
  private final ManagedChannel owned;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ModelRepositoryClient repository;
  private final SharedMemoryClient sharedMemory;
  private final SettingsClient settings;
  private final RoutingClient routing;
  private final MonitoringClient monitoring;

  GrpcTensorgateClient(Calls calls, ManagedChannel owned) {
    this.calls = calls;
    this.owned = owned;
    this.repository = new GrpcModelRepositoryClient(calls);
    this.sharedMemory = new GrpcSharedMemoryClient(calls);
    this.settings = new GrpcSettingsClient(calls);
    this.routing = new GrpcRoutingClient(calls);
    this.monitoring = new GrpcMonitoringClient(calls);
  }

  private GRPCInferenceServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(GRPCInferenceServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public boolean isServerLive() {
    return Calls.call(
        () -> blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
  }

  @Override
  public boolean isServerReady() {
    return Calls.call(
        () -> blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
  }

  @Override
  public boolean isModelReady(String model) {
    return isModelReady(model, "");
  }

  @Override
  public boolean isModelReady(String model, String version) {
    ModelReadyRequest r = ModelReadyRequest.newBuilder().setName(model).setVersion(version).build();
    return Calls.call(() -> blocking().modelReady(r).getReady());
  }

  @Override
  public ServerMetadataResponse serverMetadata() {
    return Calls.call(() -> blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance()));
  }

  @Override
  public ModelMetadataResponse modelMetadata(String model) {
    return modelMetadata(model, "");
  }

  @Override
  public ModelMetadataResponse modelMetadata(String model, String version) {
    ModelMetadataRequest r =
        ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build();
    return Calls.call(() -> blocking().modelMetadata(r));
  }

  @Override
  public ModelConfig modelConfig(String model) {
    return modelConfig(model, "");
  }

  @Override
  public ModelConfig modelConfig(String model, String version) {
    ModelConfigRequest r =
        ModelConfigRequest.newBuilder().setName(model).setVersion(version).build();
    return Calls.call(() -> blocking().modelConfig(r).getConfig());
  }

  @Override
  public ModelStatisticsResponse modelStatistics() {
    return modelStatistics("", "");
  }

  @Override
  public ModelStatisticsResponse modelStatistics(String model, String version) {
    ModelStatisticsRequest r =
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build();
    return Calls.call(() -> blocking().modelStatistics(r));
  }

  @Override
  public InferResult infer(InferRequest request) {
    GRPCInferenceServiceBlockingStub stub =
        calls.withDeadline(
            GRPCInferenceServiceGrpc.newBlockingStub(calls.channel()), request.deadline());
    return Calls.call(() -> request.result(stub.modelInfer(request.toProto()), request.id()));
  }

  @Override
  public CompletableFuture<InferResult> inferAsync(InferRequest request) {
    CallFuture future = new CallFuture(request);
    calls
        .withDeadline(GRPCInferenceServiceGrpc.newStub(calls.channel()), request.deadline())
        .modelInfer(request.toProto(), future);
    return future;
  }

  @Override
  public InferStream openStream() {
    return GrpcInferStream.open(GRPCInferenceServiceGrpc.newStub(calls.channel()));
  }

  @Override
  public ModelRepositoryClient repository() {
    return repository;
  }

  @Override
  public SharedMemoryClient sharedMemory() {
    return sharedMemory;
  }

  @Override
  public SettingsClient settings() {
    return settings;
  }

  @Override
  public RoutingClient routing() {
    return routing;
  }

  @Override
  public MonitoringClient monitoring() {
    return monitoring;
  }

  @Override
  public Channel channel() {
    return calls.channel();
  }

  @Override
  public void close() {
    if (owned == null || !closed.compareAndSet(false, true)) {
      return;
    }
    owned.shutdown();
    try {
      if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
        owned.shutdownNow();
      }
    } catch (InterruptedException e) {
      owned.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The future of one async call; cancelling it cancels the call. */
  private static final class CallFuture extends CompletableFuture<InferResult>
      implements ClientResponseObserver<ModelInferRequest, ModelInferResponse> {
    private final InferRequest request;
    // Set in beforeStart, which runs inside modelInfer(), before the future is handed out.
    private volatile ClientCallStreamObserver<ModelInferRequest> call;

    CallFuture(InferRequest request) {
      this.request = request;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(ModelInferResponse value) {
      complete(request.result(value, request.id()));
    }

    @Override
    public void onError(Throwable t) {
      completeExceptionally(InferenceServerException.from(t));
    }

    @Override
    public void onCompleted() {
      if (!isDone()) {
        completeExceptionally(
            new InferenceServerException(
                io.grpc.Status.Code.INTERNAL, "the server ended the call without an answer", null));
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      ClientCallStreamObserver<ModelInferRequest> c = call;
      if (cancelled && c != null) {
        c.cancel("cancelled by the client", null);
      }
      return cancelled;
    }
  }
}
