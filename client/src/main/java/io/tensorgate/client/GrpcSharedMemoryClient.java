package io.tensorgate.client;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import java.util.Map;

/** {@link SharedMemoryClient} over the inference service's shared-memory calls. */
final class GrpcSharedMemoryClient implements SharedMemoryClient {
  private final Calls calls;

  GrpcSharedMemoryClient(Calls calls) {
    this.calls = calls;
  }

  private GRPCInferenceServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(GRPCInferenceServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public void registerSystem(String name, String key, long byteSize, long offset) {
    SystemSharedMemoryRegisterRequest r =
        SystemSharedMemoryRegisterRequest.newBuilder()
            .setName(name)
            .setKey(key)
            .setByteSize(byteSize)
            .setOffset(offset)
            .build();
    Calls.call(() -> blocking().systemSharedMemoryRegister(r));
  }

  @Override
  public Map<String, SystemSharedMemoryStatusResponse.RegionStatus> systemStatus() {
    return systemStatus("");
  }

  @Override
  public Map<String, SystemSharedMemoryStatusResponse.RegionStatus> systemStatus(String name) {
    SystemSharedMemoryStatusRequest r =
        SystemSharedMemoryStatusRequest.newBuilder().setName(name).build();
    return Calls.call(() -> blocking().systemSharedMemoryStatus(r).getRegionsMap());
  }

  @Override
  public void unregisterSystem(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty name: use unregisterAllSystem()");
    }
    SystemSharedMemoryUnregisterRequest r =
        SystemSharedMemoryUnregisterRequest.newBuilder().setName(name).build();
    Calls.call(() -> blocking().systemSharedMemoryUnregister(r));
  }

  @Override
  public void unregisterAllSystem() {
    Calls.call(
        () ->
            blocking()
                .systemSharedMemoryUnregister(
                    SystemSharedMemoryUnregisterRequest.getDefaultInstance()));
  }

  @Override
  public void registerCuda(String name, byte[] rawHandle, long deviceId, long byteSize) {
    CudaSharedMemoryRegisterRequest r =
        CudaSharedMemoryRegisterRequest.newBuilder()
            .setName(name)
            .setRawHandle(ByteString.copyFrom(rawHandle))
            .setDeviceId(deviceId)
            .setByteSize(byteSize)
            .build();
    Calls.call(() -> blocking().cudaSharedMemoryRegister(r));
  }

  @Override
  public Map<String, CudaSharedMemoryStatusResponse.RegionStatus> cudaStatus() {
    return cudaStatus("");
  }

  @Override
  public Map<String, CudaSharedMemoryStatusResponse.RegionStatus> cudaStatus(String name) {
    CudaSharedMemoryStatusRequest r =
        CudaSharedMemoryStatusRequest.newBuilder().setName(name).build();
    return Calls.call(() -> blocking().cudaSharedMemoryStatus(r).getRegionsMap());
  }

  @Override
  public void unregisterCuda(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty name: use unregisterAllCuda()");
    }
    CudaSharedMemoryUnregisterRequest r =
        CudaSharedMemoryUnregisterRequest.newBuilder().setName(name).build();
    Calls.call(() -> blocking().cudaSharedMemoryUnregister(r));
  }

  @Override
  public void unregisterAllCuda() {
    Calls.call(
        () ->
            blocking()
                .cudaSharedMemoryUnregister(
                    CudaSharedMemoryUnregisterRequest.getDefaultInstance()));
  }
}
