package io.tensorgate.server.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Checks every call against its {@link ProtocolGroup}'s rules before any handler runs: first a
 * Triton restricted-protocol header (UNAVAILABLE when missing or wrong, as Triton answers), then a
 * bearer token in {@code authorization: Bearer <token>} (UNAUTHENTICATED). Groups in {@code locked}
 * have no rule but must not be open (admin and repository off loopback): their calls are refused
 * with UNAUTHENTICATED and a message saying how to configure a token. Stateless and thread-safe;
 * runs on the transport thread.
 */
final class AccessInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final RestrictedProtocols restricted;
  private final TokenFile tokens;
  private final Set<ProtocolGroup> locked;

  AccessInterceptor(RestrictedProtocols restricted, TokenFile tokens, Set<ProtocolGroup> locked) {
    this.restricted = Objects.requireNonNull(restricted, "restricted");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.locked = locked.isEmpty() ? Set.of() : EnumSet.copyOf(locked);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ProtocolGroup group = ProtocolGroup.of(call.getMethodDescriptor().getFullMethodName());
    Status refusal = check(group, headers);
    if (refusal != null) {
      call.close(refusal, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** Why a call of the group with these headers is refused, or {@code null} when it may run. */
  Status check(ProtocolGroup group, Metadata headers) {
    RestrictedProtocols.Rule rule = restricted.rule(group);
    if (rule != null && !rule.accepts(headers.get(rule.header()))) {
      return Status.UNAVAILABLE.withDescription(
          "This protocol is restricted, expecting header '" + rule.header().name() + "'");
    }
    if (tokens.protects(group)) {
      String auth = headers.get(AUTHORIZATION);
      if (auth == null) {
        return Status.UNAUTHENTICATED.withDescription(
            "the '"
                + group.flagName()
                + "' protocol requires a bearer token: send header 'authorization: Bearer"
                + " <token>'");
      }
      if (auth.length() <= BEARER.length()
          || !auth.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
        return Status.UNAUTHENTICATED.withDescription(
            "the 'authorization' header must read 'Bearer <token>'");
      }
      if (!tokens.accepts(group, auth.substring(BEARER.length()).strip())) {
        return Status.UNAUTHENTICATED.withDescription(
            "invalid bearer token for the '" + group.flagName() + "' protocol");
      }
      return null;
    }
    if (rule == null && locked.contains(group)) {
      return Status.UNAUTHENTICATED.withDescription(
          "the '"
              + group.flagName()
              + "' protocol is closed: gRPC is bound to a non-loopback address and no token"
              + " protects it; give one in --grpc-auth-token-file or --grpc-restricted-protocol"
              + " (or pass --grpc-allow-unauthenticated-admin)");
    }
    return null;
  }
}
