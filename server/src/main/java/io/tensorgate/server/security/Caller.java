package io.tensorgate.server.security;

import java.util.Objects;

/**
 * Who made a call, as far as the server can tell, for the audit trail; never a credential.
 *
 * @param rule the token-file rule whose token the call carried, {@code restricted:<key>} for a
 *     Triton restricted-protocol header, or the server component that acted (e.g. {@code
 *     rollout-controller}); empty when no rule identified the caller
 * @param subject the subject of the client certificate under mutual TLS, else empty
 * @param peer the client's address ({@code host:port}), else empty
 */
public record Caller(String rule, String subject, String peer) {
  public Caller {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(peer, "peer");
  }

  /** A decision the server made by itself, e.g. {@code rollout-controller}. */
  public static Caller component(String name) {
    return new Caller(name, "", "");
  }
}
