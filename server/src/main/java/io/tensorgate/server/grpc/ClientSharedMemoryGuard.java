package io.tensorgate.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.util.Set;

/**
 * Triton's {@code --allow-client-shm=false}: clients may not register or unregister shared-memory
 * regions (system or CUDA), answered with Triton's status and words. Status calls stay open, and
 * with no region registered no request can name one.
 */
public final class ClientSharedMemoryGuard implements ServerInterceptor {
  static final String DISABLED =
      "Client shared memory is disabled. Start the server with '--allow-client-shm=true' to"
          + " enable.";

  private static final Set<String> GUARDED =
      Set.of(
          GRPCInferenceServiceGrpc.getSystemSharedMemoryRegisterMethod().getFullMethodName(),
          GRPCInferenceServiceGrpc.getSystemSharedMemoryUnregisterMethod().getFullMethodName(),
          GRPCInferenceServiceGrpc.getCudaSharedMemoryRegisterMethod().getFullMethodName(),
          GRPCInferenceServiceGrpc.getCudaSharedMemoryUnregisterMethod().getFullMethodName());

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!GUARDED.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    call.close(Status.UNIMPLEMENTED.withDescription(DISABLED), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
