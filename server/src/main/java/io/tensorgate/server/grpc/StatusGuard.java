package io.tensorgate.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Objects;

/**
 * Where statuses leave the server: every call's closing status description passes through {@link
 * ErrorMessages#sanitize} (no class names, no server paths, at most {@value
 * ErrorMessages#MAX_BYTES} bytes), and its cause, which never travels, is dropped. Install it last
 * on the server builder so it wraps every other interceptor and service. Stateless.
 */
public final class StatusGuard implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return next.startCall(new Guarded<>(call), headers);
  }

  private static final class Guarded<Q, R> extends SimpleForwardingServerCall<Q, R> {
    Guarded(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      String d = status.getDescription();
      String safe = ErrorMessages.sanitize(d);
      if (!Objects.equals(safe, d) || status.getCause() != null) {
        status = Status.fromCode(status.getCode()).withDescription(safe);
      }
      super.close(status, trailers);
    }
  }
}
