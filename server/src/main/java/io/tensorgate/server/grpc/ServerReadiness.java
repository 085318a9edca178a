package io.tensorgate.server.grpc;

/**
 * What ServerReady and ModelReady report about the server as a whole; read on every call, from the
 * transport threads, so implementations answer from memory.
 */
public interface ServerReadiness {
  /** Whether the server takes requests: started and not shutting down. ModelReady needs it. */
  boolean serving();

  /**
   * ServerReady: serving and, under Triton's strict readiness, every model a load was asked for is
   * available.
   */
  boolean ready();
}
