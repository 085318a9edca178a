package io.tensorgate.server.grpc;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.util.Objects;

/** The three system shared-memory RPCs over the {@link SharedMemoryRegistry}. */
final class SharedMemoryRpc {
  private final SharedMemoryRegistry shm;

  SharedMemoryRpc(SharedMemoryRegistry shm) {
    this.shm = Objects.requireNonNull(shm, "shm");
  }

  SystemSharedMemoryStatusResponse status(SystemSharedMemoryStatusRequest req)
      throws InferenceException {
    SystemSharedMemoryStatusResponse.Builder b = SystemSharedMemoryStatusResponse.newBuilder();
    shm.status(req.getName())
        .forEach(
            (name, r) ->
                b.putRegions(
                    name,
                    SystemSharedMemoryStatusResponse.RegionStatus.newBuilder()
                        .setName(name)
                        .setKey(r.key())
                        .setOffset(r.offset())
                        .setByteSize(r.byteSize())
                        .build()));
    return b.build();
  }

  void register(SystemSharedMemoryRegisterRequest req) throws InferenceException {
    shm.register(req.getName(), req.getKey(), req.getOffset(), req.getByteSize());
  }

  void unregister(SystemSharedMemoryUnregisterRequest req) {
    shm.unregister(req.getName());
  }
}
