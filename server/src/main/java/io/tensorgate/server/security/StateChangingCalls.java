package io.tensorgate.server.security;

import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import java.util.Set;

/**
 * Which calls change server state, for the default that refuses them without a rule: repository
 * load and unload, shared-memory register and unregister, LogSettings and TraceSetting requests
 * that carry settings, and the admin services' writes. Everything else reads. A method this class
 * does not know counts as a write when it is in the {@code admin} group, so a new admin method is
 * closed until someone classifies it. Stateless.
 */
final class StateChangingCalls {
  private static final String TRITON = "inference.GRPCInferenceService/";

  private static final Set<String> TRITON_WRITES =
      Set.of(
          "RepositoryModelLoad",
          "RepositoryModelUnload",
          "SystemSharedMemoryRegister",
          "SystemSharedMemoryUnregister",
          "CudaSharedMemoryRegister",
          "CudaSharedMemoryUnregister");

  /** Settings RPCs: a request with settings writes, an empty one reads. */
  private static final Set<String> TRITON_SETTINGS = Set.of("LogSettings", "TraceSetting");

  private static final Set<String> ADMIN_READS =
      Set.of(
          "tensorgate.admin.v1.RoutingService/GetRouting",
          "tensorgate.admin.v1.RoutingService/ListEvents",
          "tensorgate.admin.v1.MonitoringService/GetDrift");

  private StateChangingCalls() {}

  /** How a method's calls are told apart. */
  enum Kind {
    READ,
    WRITE,
    /** Decided by the request message: see {@link #changes(Object)}. */
    BY_MESSAGE
  }

  static Kind of(String fullMethodName) {
    if (fullMethodName.startsWith(TRITON)) {
      String method = fullMethodName.substring(TRITON.length());
      if (TRITON_WRITES.contains(method)) {
        return Kind.WRITE;
      }
      return TRITON_SETTINGS.contains(method) ? Kind.BY_MESSAGE : Kind.READ;
    }
    if (ProtocolGroup.of(fullMethodName) != ProtocolGroup.ADMIN
        || ADMIN_READS.contains(fullMethodName)) {
      return Kind.READ;
    }
    return Kind.WRITE;
  }

  /** Whether a request of a {@link Kind#BY_MESSAGE} method changes settings. */
  static boolean changes(Object request) {
    if (request instanceof LogSettingsRequest r) {
      return r.getSettingsCount() > 0;
    }
    if (request instanceof TraceSettingRequest r) {
      return r.getSettingsCount() > 0;
    }
    // Anything else (a message that did not parse) is refused by the service itself.
    return false;
  }
}
