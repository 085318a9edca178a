package io.tensorgate.loadtest;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.DataType;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferStatistics;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelConfigResponse;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ModelReadyResponse;
import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.ModelStatisticsResponse;
import io.tensorgate.proto.inference.ModelStreamInferResponse;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerLiveResponse;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.proto.inference.ServerReadyResponse;
import io.tensorgate.proto.inference.StatisticDuration;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterResponse;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The echo model: every ModelInfer answers with the request's inputs copied to outputs (output i is
 * named after the i-th requested output, else OUTPUTi), with no validation beyond the model name
 * and no scheduling. Enough of the rest of the service (health, metadata, config, statistics,
 * system shared memory) for {@code run} to discover and drive it. Handlers run on the transport
 * threads and never block.
 */
final class EchoService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

  static final String VERSION = "1";

  private final ModelSignature signature;
  private final EchoSharedMemory sharedMemory;
  private final LongAdder successCount = new LongAdder();
  private final LongAdder successNanos = new LongAdder();
  private final LongAdder inferenceCount = new LongAdder();
  private volatile long lastInferenceMillis;

  EchoService(ModelSignature signature, EchoSharedMemory sharedMemory) {
    this.signature = Objects.requireNonNull(signature, "signature");
    this.sharedMemory = Objects.requireNonNull(sharedMemory, "sharedMemory");
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
    respond(response, ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(
      ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
    respond(response, ServerReadyResponse.newBuilder().setReady(true).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
    respond(response, ModelReadyResponse.newBuilder().setReady(knows(request.getName())).build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
    if (!check(request.getName(), response)) {
      return;
    }
    ModelMetadataResponse.Builder metadata =
        ModelMetadataResponse.newBuilder()
            .setName(signature.name())
            .addVersions(VERSION)
            .setPlatform("echo");
    signature.inputs().forEach(t -> metadata.addInputs(tensorMetadata(t)));
    signature.outputs().forEach(t -> metadata.addOutputs(tensorMetadata(t)));
    respond(response, metadata.build());
  }

  private ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec spec) {
    return ModelMetadataResponse.TensorMetadata.newBuilder()
        .setName(spec.name())
        .setDatatype(spec.datatype())
        .addAllShape(signature.batches() ? Shapes.prepend(-1, spec.shape()) : spec.shape())
        .build();
  }

  @Override
  public void modelConfig(
      ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
    if (!check(request.getName(), response)) {
      return;
    }
    ModelConfig.Builder config =
        ModelConfig.newBuilder()
            .setName(signature.name())
            .setPlatform("echo")
            .setMaxBatchSize(signature.maxBatchSize());
    for (TensorSpec spec : signature.inputs()) {
      config.addInput(
          ModelInput.newBuilder()
              .setName(spec.name())
              .setDataType(configType(spec))
              .addAllDims(spec.shape()));
    }
    for (TensorSpec spec : signature.outputs()) {
      config.addOutput(
          ModelOutput.newBuilder()
              .setName(spec.name())
              .setDataType(configType(spec))
              .addAllDims(spec.shape()));
    }
    respond(response, ModelConfigResponse.newBuilder().setConfig(config).build());
  }

  private static DataType configType(TensorSpec spec) {
    WireType type = spec.wireType();
    return DataType.valueOf(type == WireType.BYTES ? "TYPE_STRING" : "TYPE_" + type.name());
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
    long start = System.nanoTime();
    ModelInferResponse answer;
    try {
      answer = echo(request);
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    respond(response, answer);
    countSuccess(request, start);
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> response) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferRequest request) {
        long start = System.nanoTime();
        try {
          response.onNext(
              ModelStreamInferResponse.newBuilder().setInferResponse(echo(request)).build());
          countSuccess(request, start);
        } catch (StatusRuntimeException e) {
          response.onNext(
              ModelStreamInferResponse.newBuilder()
                  .setErrorMessage(String.valueOf(e.getStatus().getDescription()))
                  .setInferResponse(ModelInferResponse.newBuilder().setId(request.getId()))
                  .build());
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        response.onCompleted();
      }
    };
  }

  private ModelInferResponse echo(ModelInferRequest request) {
    if (!knows(request.getModelName())) {
      throw unknownModel(request.getModelName());
    }
    ModelInferResponse.Builder answer =
        ModelInferResponse.newBuilder()
            .setModelName(signature.name())
            .setModelVersion(VERSION)
            .setId(request.getId());
    List<ModelInferRequest.InferRequestedOutputTensor> requested = request.getOutputsList();
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      ModelInferRequest.InferRequestedOutputTensor wanted =
          i < requested.size() ? requested.get(i) : null;
      ModelInferResponse.InferOutputTensor.Builder output =
          answer
              .addOutputsBuilder()
              .setName(wanted != null ? wanted.getName() : "OUTPUT" + i)
              .setDatatype(input.getDatatype())
              .addAllShape(input.getShapeList());
      ByteString raw = inputBytes(request, i);
      if (wanted != null && wanted.containsParameters("shared_memory_region")) {
        String region = wanted.getParametersOrThrow("shared_memory_region").getStringParam();
        long offset = int64(wanted.getParametersMap().get("shared_memory_offset"));
        long size = int64(wanted.getParametersMap().get("shared_memory_byte_size"));
        if (raw == null || raw.size() > size) {
          throw Status.INVALID_ARGUMENT
              .withDescription(
                  "shared memory size specified with the request for output '"
                      + output.getName()
                      + "' should be at least "
                      + (raw == null ? 0 : raw.size())
                      + " bytes to hold the results")
              .asRuntimeException();
        }
        sharedMemory.write(region, offset, raw);
        output.putParameters(
            "shared_memory_region", wanted.getParametersOrThrow("shared_memory_region"));
      } else if (raw != null) {
        answer.addRawOutputContents(raw);
      } else {
        output.setContents(input.getContents());
      }
    }
    return answer.build();
  }

  /** The input's bytes from raw contents or shared memory; null when it uses typed contents. */
  private ByteString inputBytes(ModelInferRequest request, int index) {
    ModelInferRequest.InferInputTensor input = request.getInputs(index);
    if (input.containsParameters("shared_memory_region")) {
      return sharedMemory.read(
          input.getParametersOrThrow("shared_memory_region").getStringParam(),
          int64(input.getParametersMap().get("shared_memory_offset")),
          int64(input.getParametersMap().get("shared_memory_byte_size")));
    }
    return index < request.getRawInputContentsCount() ? request.getRawInputContents(index) : null;
  }

  private static long int64(InferParameter parameter) {
    if (parameter == null) {
      return 0;
    }
    return parameter.hasUint64Param() ? parameter.getUint64Param() : parameter.getInt64Param();
  }

  private void countSuccess(ModelInferRequest request, long startNanos) {
    successNanos.add(System.nanoTime() - startNanos);
    successCount.increment();
    long batch =
        signature.batches()
                && request.getInputsCount() > 0
                && request.getInputs(0).getShapeCount() > 0
            ? request.getInputs(0).getShape(0)
            : 1;
    inferenceCount.add(batch);
    lastInferenceMillis = System.currentTimeMillis();
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
    if (!request.getName().isEmpty() && !check(request.getName(), response)) {
      return;
    }
    long count = successCount.sum();
    StatisticDuration zero = StatisticDuration.newBuilder().setCount(count).build();
    ModelStatistics stats =
        ModelStatistics.newBuilder()
            .setName(signature.name())
            .setVersion(VERSION)
            .setLastInference(lastInferenceMillis)
            .setInferenceCount(inferenceCount.sum())
            .setExecutionCount(count)
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(
                        StatisticDuration.newBuilder().setCount(count).setNs(successNanos.sum()))
                    .setQueue(zero)
                    .setComputeInput(zero)
                    .setComputeInfer(zero)
                    .setComputeOutput(zero))
            .build();
    respond(response, ModelStatisticsResponse.newBuilder().addModelStats(stats).build());
  }

  @Override
  public void systemSharedMemoryRegister(
      SystemSharedMemoryRegisterRequest request,
      StreamObserver<SystemSharedMemoryRegisterResponse> response) {
    try {
      sharedMemory.register(
          request.getName(), request.getKey(), request.getOffset(), request.getByteSize());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    respond(response, SystemSharedMemoryRegisterResponse.getDefaultInstance());
  }

  @Override
  public void systemSharedMemoryUnregister(
      SystemSharedMemoryUnregisterRequest request,
      StreamObserver<SystemSharedMemoryUnregisterResponse> response) {
    sharedMemory.unregister(request.getName());
    respond(response, SystemSharedMemoryUnregisterResponse.getDefaultInstance());
  }

  @Override
  public void systemSharedMemoryStatus(
      SystemSharedMemoryStatusRequest request,
      StreamObserver<SystemSharedMemoryStatusResponse> response) {
    respond(response, sharedMemory.status(request.getName()));
  }

  private boolean knows(String model) {
    return signature.name().equals(model);
  }

  private boolean check(String model, StreamObserver<?> response) {
    if (knows(model)) {
      return true;
    }
    response.onError(unknownModel(model));
    return false;
  }

  private static StatusRuntimeException unknownModel(String model) {
    return Status.NOT_FOUND
        .withDescription("Request for unknown model: '" + model + "' is not found")
        .asRuntimeException();
  }

  private static <T> void respond(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }
}
