package io.tensorgate.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.tensorgate.server.codec.RoutingKey;

/**
 * Copies the request headers Tensorgate acts on into the call's {@link Context}: {@code
 * triton_grpc_error} (streams answer errors with a real status) and the {@link RoutingKey}.
 */
final class RequestHeaders implements ServerInterceptor {
  static final Context.Key<Boolean> TRITON_GRPC_ERROR = Context.key("triton_grpc_error");
  static final Context.Key<String> ROUTING_KEY = Context.key(RoutingKey.NAME);

  private static final Metadata.Key<String> TRITON_GRPC_ERROR_HEADER =
      Metadata.Key.of("triton_grpc_error", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ROUTING_KEY_HEADER =
      Metadata.Key.of(RoutingKey.NAME, Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String strict = headers.get(TRITON_GRPC_ERROR_HEADER);
    String routingKey = headers.get(ROUTING_KEY_HEADER);
    if (strict == null && routingKey == null) {
      return next.startCall(call, headers);
    }
    Context ctx = Context.current();
    if (strict != null) {
      ctx = ctx.withValue(TRITON_GRPC_ERROR, "true".equalsIgnoreCase(strict.trim()));
    }
    if (routingKey != null) {
      ctx = ctx.withValue(ROUTING_KEY, routingKey);
    }
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
