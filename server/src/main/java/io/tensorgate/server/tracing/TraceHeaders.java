package io.tensorgate.server.tracing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Copies the caller's W3C trace context headers ({@code traceparent}, {@code tracestate}) into the
 * call's gRPC {@link Context}, where {@code CompletedRequest.grpcContext()} carries them to the
 * tracer. Does nothing (and allocates nothing) for calls without {@code traceparent}.
 */
public final class TraceHeaders implements ServerInterceptor {
  /** The caller's trace context headers, as received. */
  record Carrier(String traceparent, String tracestate) {}

  static final Context.Key<Carrier> CARRIER = Context.key("tensorgate-w3c-trace-context");

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String parent = headers.get(TRACEPARENT);
    if (parent == null) {
      return next.startCall(call, headers);
    }
    Context ctx =
        Context.current().withValue(CARRIER, new Carrier(parent, headers.get(TRACESTATE)));
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
