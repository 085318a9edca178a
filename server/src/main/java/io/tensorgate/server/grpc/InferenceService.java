package io.tensorgate.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterResponse;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterResponse;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelConfigResponse;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ModelReadyResponse;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.ModelStatisticsResponse;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelLoadResponse;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerLiveResponse;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerMetadataResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.proto.inference.ServerReadyResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterResponse;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.logging.LogControl;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.ModelRepositoryManager;
import io.tensorgate.server.route.VersionRouter;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import io.tensorgate.server.tracing.TraceSettingRpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tensorgate's {@code inference.GRPCInferenceService}: each RPC delegates to the class that owns
 * it. Runs on the transport threads, so nothing here blocks: repository loads and unloads move to
 * {@code blockingExecutor}.
 */
public final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(InferenceService.class);

  /**
   * The extensions that work in this build whatever the host; {@code cuda_shared_memory} is added
   * when CUDA is available here (see {@link #extensions(boolean)}).
   */
  static final List<String> EXTENSIONS =
      List.of(
          "classification",
          "sequence",
          "model_repository",
          "model_repository(unload_dependents)",
          "schedule_policy",
          "model_configuration",
          "system_shared_memory",
          "binary_tensor_data",
          "parameters",
          "statistics",
          "trace",
          "logging");

  private final ServerIdentity identity;
  private final ServerReadiness readiness;
  private final MetadataRpc metadata;
  private final InferHandler infer;
  private final StreamInferHandler stream;
  private final StatisticsRpc statistics;
  private final RepositoryRpc repository;
  private final SharedMemoryRpc sharedMemory;
  private final CudaSharedMemoryRpc cudaSharedMemory;
  private final List<String> extensions;
  private final LogSettingsRpc logSettings;
  private final TraceSettingRpc traceSettings;
  private final Executor blockingExecutor;

  /**
   * The service; {@code traceSettings} is shared with the tracer, {@code budget} bounds what
   * inference requests in flight hold.
   */
  public InferenceService(
      ServerIdentity identity,
      ServerReadiness readiness,
      ModelRepositoryManager manager,
      SharedMemoryRegistry shm,
      LogControl logControl,
      Executor blockingExecutor,
      VersionRouter router,
      List<RequestObserver> observers,
      TraceSettingRpc traceSettings,
      InflightBudget budget) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.metadata = new MetadataRpc(manager.registry());
    this.infer =
        new InferHandler(
            router, new RequestDecoder(shm), new ResponseEncoder(shm), budget, observers);
    this.stream = new StreamInferHandler(infer);
    this.statistics = new StatisticsRpc(manager.registry());
    this.repository = new RepositoryRpc(manager);
    this.sharedMemory = new SharedMemoryRpc(shm);
    this.cudaSharedMemory = new CudaSharedMemoryRpc(shm.cuda());
    this.extensions = extensions(shm.cuda().available());
    this.logSettings = new LogSettingsRpc(logControl);
    this.traceSettings = Objects.requireNonNull(traceSettings, "traceSettings");
    this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
  }

  /** The extensions ServerMetadata lists: those that work on this host. */
  static List<String> extensions(boolean cudaAvailable) {
    if (!cudaAvailable) {
      return EXTENSIONS;
    }
    List<String> all = new ArrayList<>(EXTENSIONS);
    all.add(all.indexOf("system_shared_memory") + 1, "cuda_shared_memory");
    return List.copyOf(all);
  }

  /** This service with the interceptor that reads Triton's and Tensorgate's request headers. */
  public ServerServiceDefinition withHeaders() {
    return ServerInterceptors.intercept(this, new RequestHeaders());
  }

  @Override
  public void serverLive(ServerLiveRequest req, StreamObserver<ServerLiveResponse> obs) {
    reply(obs, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest req, StreamObserver<ServerReadyResponse> obs) {
    reply(obs, ServerReadyResponse.newBuilder().setReady(readiness.ready()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest req, StreamObserver<ModelReadyResponse> obs) {
    reply(
        obs,
        ModelReadyResponse.newBuilder()
            .setReady(readiness.serving() && metadata.isReady(req.getName(), req.getVersion()))
            .build());
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest req, StreamObserver<ServerMetadataResponse> obs) {
    reply(
        obs,
        ServerMetadataResponse.newBuilder()
            .setName(identity.name())
            .setVersion(identity.version())
            .addAllExtensions(extensions)
            .build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest req, StreamObserver<ModelMetadataResponse> obs) {
    try {
      reply(obs, metadata.metadata(req.getName(), req.getVersion()));
    } catch (InferenceException e) {
      obs.onError(Statuses.toException(e));
    }
  }

  @Override
  public void modelConfig(ModelConfigRequest req, StreamObserver<ModelConfigResponse> obs) {
    try {
      reply(obs, metadata.config(req.getName(), req.getVersion()));
    } catch (InferenceException e) {
      obs.onError(Statuses.toException(e));
    }
  }

  @Override
  public void modelInfer(ModelInferRequest req, StreamObserver<ModelInferResponse> obs) {
    Deadline deadline = Context.current().getDeadline();
    long deadlineNanos =
        deadline == null
            ? InferenceRequest.NO_DEADLINE
            : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    infer.infer(
        req, new UnaryResponder((ServerCallStreamObserver<ModelInferResponse>) obs), deadlineNanos);
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> obs) {
    return stream.open(obs, Boolean.TRUE.equals(RequestHeaders.TRITON_GRPC_ERROR.get()));
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest req, StreamObserver<ModelStatisticsResponse> obs) {
    try {
      reply(obs, statistics.statistics(req));
    } catch (InferenceException e) {
      obs.onError(Statuses.toException(e));
    }
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest req, StreamObserver<RepositoryIndexResponse> obs) {
    offload(obs, () -> repository.index(req));
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest req, StreamObserver<RepositoryModelLoadResponse> obs) {
    offload(
        obs,
        () -> {
          repository.load(req);
          return RepositoryModelLoadResponse.getDefaultInstance();
        });
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest req, StreamObserver<RepositoryModelUnloadResponse> obs) {
    offload(
        obs,
        () -> {
          repository.unload(req);
          return RepositoryModelUnloadResponse.getDefaultInstance();
        });
  }

  @Override
  public void systemSharedMemoryStatus(
      SystemSharedMemoryStatusRequest req, StreamObserver<SystemSharedMemoryStatusResponse> obs) {
    try {
      reply(obs, sharedMemory.status(req));
    } catch (InferenceException e) {
      obs.onError(Statuses.toException(e));
    }
  }

  @Override
  public void systemSharedMemoryRegister(
      SystemSharedMemoryRegisterRequest req,
      StreamObserver<SystemSharedMemoryRegisterResponse> obs) {
    offload(
        obs,
        () -> {
          sharedMemory.register(req);
          return SystemSharedMemoryRegisterResponse.getDefaultInstance();
        });
  }

  @Override
  public void systemSharedMemoryUnregister(
      SystemSharedMemoryUnregisterRequest req,
      StreamObserver<SystemSharedMemoryUnregisterResponse> obs) {
    sharedMemory.unregister(req);
    reply(obs, SystemSharedMemoryUnregisterResponse.getDefaultInstance());
  }

  @Override
  public void cudaSharedMemoryStatus(
      CudaSharedMemoryStatusRequest req, StreamObserver<CudaSharedMemoryStatusResponse> obs) {
    // Offloaded: it takes the lock a registration holds while CUDA opens a handle.
    offload(obs, () -> cudaSharedMemory.status(req));
  }

  @Override
  public void cudaSharedMemoryRegister(
      CudaSharedMemoryRegisterRequest req, StreamObserver<CudaSharedMemoryRegisterResponse> obs) {
    offload(
        obs,
        () -> {
          cudaSharedMemory.register(req);
          return CudaSharedMemoryRegisterResponse.getDefaultInstance();
        });
  }

  @Override
  public void cudaSharedMemoryUnregister(
      CudaSharedMemoryUnregisterRequest req,
      StreamObserver<CudaSharedMemoryUnregisterResponse> obs) {
    offload(
        obs,
        () -> {
          cudaSharedMemory.unregister(req);
          return CudaSharedMemoryUnregisterResponse.getDefaultInstance();
        });
  }

  @Override
  public void traceSetting(TraceSettingRequest req, StreamObserver<TraceSettingResponse> obs) {
    try {
      reply(obs, traceSettings.handle(req));
    } catch (InferenceException e) {
      obs.onError(Statuses.toException(e));
    }
  }

  @Override
  public void logSettings(LogSettingsRequest req, StreamObserver<LogSettingsResponse> obs) {
    offload(obs, () -> logSettings.update(req));
  }

  private static <T> void reply(StreamObserver<T> obs, T value) {
    obs.onNext(value);
    obs.onCompleted();
  }

  /** Work that may block (file system, model loads) runs off the transport threads. */
  private <T> void offload(StreamObserver<T> obs, BlockingCall<T> call) {
    Context ctx = Context.current();
    try {
      blockingExecutor.execute(
          ctx.wrap(
              () -> {
                try {
                  reply(obs, call.run());
                } catch (InferenceException e) {
                  obs.onError(Statuses.toException(e));
                } catch (RuntimeException e) {
                  // A server fault: the trace goes to the log, the client gets no class names.
                  log.error("a repository, shared-memory or settings call failed", e);
                  obs.onError(
                      Status.INTERNAL
                          .withDescription("internal error on the server; see its log")
                          .asRuntimeException());
                }
              }));
    } catch (RejectedExecutionException e) {
      obs.onError(
          Status.UNAVAILABLE.withDescription("server is shutting down").asRuntimeException());
    }
  }

  @FunctionalInterface
  private interface BlockingCall<T> {
    T run() throws InferenceException;
  }

  /** Answers a unary ModelInfer call. */
  private static final class UnaryResponder implements Responder {
    private final ServerCallStreamObserver<ModelInferResponse> call;

    UnaryResponder(ServerCallStreamObserver<ModelInferResponse> call) {
      this.call = call;
    }

    @Override
    public void respond(ModelInferResponse response) {
      call.onNext(response);
      call.onCompleted();
    }

    @Override
    public void fail(InferenceError error) {
      call.onError(Statuses.toException(error));
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }
  }
}
