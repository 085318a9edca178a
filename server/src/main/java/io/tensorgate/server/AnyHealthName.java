package io.tensorgate.server;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckRequest;
import java.util.Objects;
import java.util.Set;

/**
 * Answers a health check for any service name as Triton does: with the server's readiness. Names
 * the health service keeps a status for ({@code ""}, {@code inference.GRPCInferenceService} and
 * {@link Readiness#LIVENESS}) keep their own; any other is asked as {@code ""} instead of getting
 * NOT_FOUND, so a probe configured for Triton with another name works unchanged. Before each check
 * the readiness is brought up to date ({@code beforeCheck}): a version can lose its last instance
 * between loads, which push the status otherwise.
 */
final class AnyHealthName implements ServerInterceptor {
  private final Set<String> known;
  private final Runnable beforeCheck;

  /**
   * @param known the names the health service keeps a status for
   * @param beforeCheck brings the statuses up to date; cheap, called for every check
   */
  AnyHealthName(Set<String> known, Runnable beforeCheck) {
    this.known = Set.copyOf(known);
    this.beforeCheck = Objects.requireNonNull(beforeCheck, "beforeCheck");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      @Override
      @SuppressWarnings("unchecked")
      public void onMessage(Q message) {
        if (message instanceof HealthCheckRequest) {
          beforeCheck.run();
        }
        if (message instanceof HealthCheckRequest r && !known.contains(r.getService())) {
          super.onMessage((Q) r.toBuilder().setService("").build());
        } else {
          super.onMessage(message);
        }
      }
    };
  }
}
