package io.tensorgate.server.audit;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tensorgate.server.grpc.ErrorMessages;
import io.tensorgate.server.security.Callers;
import io.tensorgate.server.security.ProtocolGroup;
import io.tensorgate.server.security.StateChangingCalls;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes one audit entry for every state-changing call ({@link StateChangingCalls}: the same
 * classification the access rules use) when it closes, refused ones included: who ({@link
 * Callers}), which call, the model, version and arguments read from its request, and the status.
 * Install it outside the access interceptor so that refusals are seen. Reads cost one lookup and
 * are not wrapped. Entries of the {@code admin} and {@code model-repository} groups are durable
 * (forced to disk). Thread-safe.
 */
public final class AuditInterceptor implements ServerInterceptor {
  private final AuditTrail trail;
  private final Callers callers;
  private final Clock clock;

  public AuditInterceptor(AuditTrail trail, Callers callers, Clock clock) {
    this.trail = Objects.requireNonNull(trail, "trail");
    this.callers = Objects.requireNonNull(callers, "callers");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    StateChangingCalls.Kind kind = StateChangingCalls.of(method);
    if (kind == StateChangingCalls.Kind.READ) {
      return next.startCall(call, headers);
    }
    Audited<Q, R> audited = new Audited<>(call, headers, method, kind);
    return new SimpleForwardingServerCallListener<>(next.startCall(audited, headers)) {
      @Override
      public void onMessage(Q message) {
        audited.request = message;
        super.onMessage(message);
      }
    };
  }

  /** The name an entry gives a method: Triton's RPC name, or {@code Service/Method}. */
  static String callName(String fullMethodName) {
    int slash = fullMethodName.indexOf('/');
    String service = fullMethodName.substring(0, slash);
    String method = fullMethodName.substring(slash + 1);
    if (service.equals("inference.GRPCInferenceService")) {
      return method;
    }
    return service.substring(service.lastIndexOf('.') + 1) + "/" + method;
  }

  private final class Audited<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final Metadata headers;
    private final String method;
    private final StateChangingCalls.Kind kind;
    private final AtomicBoolean recorded = new AtomicBoolean();
    // Written by the listener before the handler runs, read when the call closes.
    volatile Object request;

    Audited(ServerCall<Q, R> call, Metadata headers, String method, StateChangingCalls.Kind kind) {
      super(call);
      this.headers = headers;
      this.method = method;
      this.kind = kind;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (recorded.compareAndSet(false, true)) {
        try {
          record(status);
        } catch (RuntimeException e) {
          // The audit never changes a call's outcome; a failure to record is counted there.
        }
      }
      super.close(status, trailers);
    }

    private void record(Status status) {
      Object req = request;
      if (kind == StateChangingCalls.Kind.BY_MESSAGE
          && !(req != null ? StateChangingCalls.changes(req) : !status.isOk())) {
        return; // a settings read, or a call that closed before its request arrived
      }
      AuditArguments.Of of = AuditArguments.of(req);
      ProtocolGroup group = ProtocolGroup.of(method);
      String message =
          status.getDescription() == null ? "" : ErrorMessages.sanitize(status.getDescription());
      trail.record(
          new AuditEntry(
              clock.instant(),
              callers.identify(this, headers),
              callName(method),
              of.model(),
              of.version(),
              of.arguments(),
              status.getCode().name(),
              message,
              group == ProtocolGroup.ADMIN || group == ProtocolGroup.MODEL_REPOSITORY));
    }
  }
}
