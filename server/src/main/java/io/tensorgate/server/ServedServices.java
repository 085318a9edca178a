package io.tensorgate.server;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.server.grpc.ClientSharedMemoryGuard;
import io.tensorgate.server.grpc.InferenceService;
import io.tensorgate.server.grpc.ParseGuard;
import java.util.List;
import java.util.Set;

/**
 * The services every endpoint serves, the gRPC port and HTTP's in-process server alike, each behind
 * the parse guard: inference (with its trace headers and, unless allowed, the client shared-memory
 * guard), monitoring, health (any service name, as Triton; readiness refreshed before each check),
 * reflection (v1 and v1alpha), routing administration and governance.
 */
final class ServedServices {
  /** The names the health service keeps a status for; any other is answered as "". */
  private static final Set<String> HEALTH_NAMES =
      Set.of("", GRPCInferenceServiceGrpc.SERVICE_NAME, Readiness.LIVENESS);

  private ServedServices() {}

  static List<ServerServiceDefinition> of(
      InferenceService inference,
      ParseGuard parseGuard,
      Observability observability,
      HealthStatusManager health,
      Runnable refreshHealth,
      ServerServiceDefinition routing,
      BindableService governance,
      boolean allowClientSharedMemory) {
    ServerServiceDefinition guarded =
        ServerInterceptors.intercept(
            parseGuard.guard(inference.withHeaders()), observability.traceHeaders());
    if (!allowClientSharedMemory) {
      guarded = ServerInterceptors.intercept(guarded, new ClientSharedMemoryGuard());
    }
    return List.of(
        guarded,
        parseGuard.guard(observability.monitoringService().bindService()),
        parseGuard.guard(
            ServerInterceptors.intercept(
                health.getHealthService(), new AnyHealthName(HEALTH_NAMES, refreshHealth))),
        parseGuard.guard(ProtoReflectionServiceV1.newInstance().bindService()),
        parseGuard.guard(legacyReflection().bindService()),
        parseGuard.guard(routing),
        parseGuard.guard(governance.bindService()));
  }

  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    // grpcurl and older clients still ask the v1alpha reflection service first.
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }
}
