package io.tensorgate.server.grpc;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.tensorgate.server.shm.CudaRegions;
import java.util.Objects;

/** The three CUDA shared-memory RPCs over {@link CudaRegions}. */
final class CudaSharedMemoryRpc {
  private final CudaRegions cuda;

  CudaSharedMemoryRpc(CudaRegions cuda) {
    this.cuda = Objects.requireNonNull(cuda, "cuda");
  }

  CudaSharedMemoryStatusResponse status(CudaSharedMemoryStatusRequest req)
      throws InferenceException {
    CudaSharedMemoryStatusResponse.Builder b = CudaSharedMemoryStatusResponse.newBuilder();
    cuda.status(req.getName())
        .forEach(
            (name, r) ->
                b.putRegions(
                    name,
                    CudaSharedMemoryStatusResponse.RegionStatus.newBuilder()
                        .setName(name)
                        .setDeviceId(r.deviceId())
                        .setByteSize(r.byteSize())
                        .build()));
    return b.build();
  }

  void register(CudaSharedMemoryRegisterRequest req) throws InferenceException {
    cuda.register(
        req.getName(), req.getRawHandle().toByteArray(), req.getDeviceId(), req.getByteSize());
  }

  void unregister(CudaSharedMemoryUnregisterRequest req) {
    cuda.unregister(req.getName());
  }
}
