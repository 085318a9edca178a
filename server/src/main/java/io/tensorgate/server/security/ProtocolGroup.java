package io.tensorgate.server.security;

import java.util.Locale;

/**
 * The groups of RPCs that access rules apply to: Triton's restricted-protocol categories plus
 * Tensorgate's {@code admin} group for its own admin services ({@code tensorgate.admin.v1.*}).
 * Every full method name maps to exactly one group; a method this server does not know falls into
 * {@code admin}, so a new service is closed until someone classifies it.
 */
public enum ProtocolGroup {
  HEALTH("health"),
  METADATA("metadata"),
  INFERENCE("inference"),
  SHARED_MEMORY("shared-memory"),
  MODEL_CONFIG("model-config"),
  MODEL_REPOSITORY("model-repository"),
  STATISTICS("statistics"),
  TRACE("trace"),
  LOGGING("logging"),
  ADMIN("admin");

  private static final String TRITON = "inference.GRPCInferenceService/";

  private final String flagName;

  ProtocolGroup(String flagName) {
    this.flagName = flagName;
  }

  /** The name used in flags and the token file, e.g. {@code shared-memory}. */
  public String flagName() {
    return flagName;
  }

  /**
   * The group named in a flag or token file.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static ProtocolGroup byName(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    for (ProtocolGroup g : values()) {
      if (g.flagName.equals(n)) {
        return g;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (ProtocolGroup g : values()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(g.flagName);
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + name + "'; allowed protocols: " + allowed);
  }

  /** The group of a full method name such as {@code inference.GRPCInferenceService/ModelInfer}. */
  public static ProtocolGroup of(String fullMethodName) {
    if (fullMethodName.startsWith(TRITON)) {
      return tritonMethod(fullMethodName.substring(TRITON.length()));
    }
    if (fullMethodName.startsWith("grpc.health.v1.Health/")) {
      return HEALTH;
    }
    if (fullMethodName.startsWith("grpc.reflection.")) {
      return METADATA;
    }
    // tensorgate.admin.v1.* and anything not classified above.
    return ADMIN;
  }

  private static ProtocolGroup tritonMethod(String method) {
    switch (method) {
      case "ServerLive":
      case "ServerReady":
      case "ModelReady":
        return HEALTH;
      case "ServerMetadata":
      case "ModelMetadata":
        return METADATA;
      case "ModelInfer":
      case "ModelStreamInfer":
        return INFERENCE;
      case "ModelConfig":
        return MODEL_CONFIG;
      case "ModelStatistics":
        return STATISTICS;
      case "RepositoryIndex":
      case "RepositoryModelLoad":
      case "RepositoryModelUnload":
        return MODEL_REPOSITORY;
      case "TraceSetting":
        return TRACE;
      case "LogSettings":
        return LOGGING;
      default:
        return method.contains("SharedMemory") ? SHARED_MEMORY : ADMIN;
    }
  }
}
