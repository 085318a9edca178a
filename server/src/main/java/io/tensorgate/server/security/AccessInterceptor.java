package io.tensorgate.server.security;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
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
 * with UNAUTHENTICATED and a message saying how to configure a token. Groups in {@code writeLocked}
 * have no rule either; their calls that change server state (see {@link StateChangingCalls}) are
 * refused with PERMISSION_DENIED, their reads pass. Stateless and thread-safe; runs on the
 * transport thread.
 */
final class AccessInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  private final RestrictedProtocols restricted;
  private final TokenFile tokens;
  private final Set<ProtocolGroup> locked;
  private final Set<ProtocolGroup> writeLocked;
  private final String writeLockReason;

  AccessInterceptor(RestrictedProtocols restricted, TokenFile tokens, Set<ProtocolGroup> locked) {
    this(restricted, tokens, locked, Set.of(), "");
  }

  /**
   * @param writeLocked groups whose state-changing calls are refused
   * @param writeLockReason when such calls are refused, for the message: "once a token file is
   *     given"
   */
  AccessInterceptor(
      RestrictedProtocols restricted,
      TokenFile tokens,
      Set<ProtocolGroup> locked,
      Set<ProtocolGroup> writeLocked,
      String writeLockReason) {
    this.restricted = Objects.requireNonNull(restricted, "restricted");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.locked = locked.isEmpty() ? Set.of() : EnumSet.copyOf(locked);
    this.writeLocked = writeLocked.isEmpty() ? Set.of() : EnumSet.copyOf(writeLocked);
    this.writeLockReason = Objects.requireNonNull(writeLockReason, "writeLockReason");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    ProtocolGroup group = ProtocolGroup.of(method);
    Status refusal = check(group, headers);
    if (refusal == null && writeLocked.contains(group)) {
      StateChangingCalls.Kind kind = StateChangingCalls.of(method);
      if (kind == StateChangingCalls.Kind.WRITE) {
        refusal = writeRefusal(method, group);
      } else if (kind == StateChangingCalls.Kind.BY_MESSAGE) {
        return new WriteGuard<>(next.startCall(call, headers), call, writeRefusal(method, group));
      }
    }
    if (refusal != null) {
      call.close(refusal, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  /** Whether the group's state-changing calls are refused whatever the caller sends. */
  boolean refusesWrites(ProtocolGroup group) {
    return writeLocked.contains(group);
  }

  private Status writeRefusal(String method, ProtocolGroup group) {
    return Status.PERMISSION_DENIED.withDescription(
        method.substring(method.lastIndexOf('/') + 1)
            + " changes server state, which is refused "
            + writeLockReason
            + " unless a rule names the '"
            + group.flagName()
            + "' protocol: add one to --grpc-auth-token-file or --grpc-restricted-protocol"
            + " (reads stay open)");
  }

  /** Refuses the call when its request message changes settings; passes it on otherwise. */
  private static final class WriteGuard<Q> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, ?> call;
    private final Status refusal;
    // Transport-thread only: listener callbacks of one call are serialized.
    private boolean refused;

    WriteGuard(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, Status refusal) {
      super(delegate);
      this.call = call;
      this.refusal = refusal;
    }

    @Override
    public void onMessage(Q message) {
      if (refused) {
        return;
      }
      if (StateChangingCalls.changes(message)) {
        refused = true;
        call.close(refusal, new Metadata());
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }
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
