package io.tensorgate.server.security;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Tells who made a call, for the audit trail: the name of the token-file rule whose bearer token it
 * carried (or {@code restricted:<key>} for a Triton restricted-protocol header), the subject of the
 * client certificate under mutual TLS, and the peer address. Never returns a credential. Checks the
 * token again (as the access interceptor did): meant for state-changing calls only, which are few.
 * Immutable.
 */
public final class Callers {
  private static final String BEARER = "bearer ";

  private final TokenFile tokens;
  private final RestrictedProtocols restricted;

  Callers(TokenFile tokens, RestrictedProtocols restricted) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.restricted = Objects.requireNonNull(restricted, "restricted");
  }

  /** No rules: callers are told apart by certificate and address only. */
  public static Callers none() {
    return new Callers(TokenFile.none(), RestrictedProtocols.parse(java.util.List.of()));
  }

  public Caller identify(ServerCall<?, ?> call, Metadata headers) {
    ProtocolGroup group = ProtocolGroup.of(call.getMethodDescriptor().getFullMethodName());
    return new Caller(rule(group, headers), subject(call), peer(call));
  }

  private String rule(ProtocolGroup group, Metadata headers) {
    if (tokens.protects(group)) {
      String auth = headers.get(AccessInterceptor.AUTHORIZATION);
      if (auth != null
          && auth.length() > BEARER.length()
          && auth.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
        String rule = tokens.ruleFor(group, auth.substring(BEARER.length()).strip());
        if (rule != null) {
          return rule;
        }
      }
    }
    RestrictedProtocols.Rule r = restricted.rule(group);
    if (r != null && r.accepts(headers.get(r.header()))) {
      return "restricted:"
          + r.header().name().substring(RestrictedProtocols.HEADER_PREFIX.length());
    }
    return "";
  }

  private static String subject(ServerCall<?, ?> call) {
    SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (tls == null) {
      return "";
    }
    try {
      return tls.getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return ""; // TLS without a client certificate
    }
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (a instanceof InetSocketAddress in) {
      String host = in.getAddress() != null ? in.getAddress().getHostAddress() : in.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + in.getPort();
    }
    return a == null ? "" : a.toString();
  }
}
