package io.tensorgate.server.security;

import io.grpc.Metadata;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Triton's {@code --grpc-restricted-protocol=<protocols>:<key>=<value>} groups: a call to a listed
 * protocol must carry header {@code triton-grpc-protocol-<key>} with {@code <value>}, or it is
 * refused with UNAVAILABLE "This protocol is restricted, expecting header '...'", as Triton does. A
 * protocol may be in one group only. Values are compared in constant time. Immutable.
 */
public final class RestrictedProtocols {
  /** Triton's prefix of the header a restricted gRPC protocol expects. */
  public static final String HEADER_PREFIX = "triton-grpc-protocol-";

  /** One group's header and the digest of its value. */
  record Rule(Metadata.Key<String> header, byte[] digest) {
    boolean accepts(String value) {
      return value != null && MessageDigest.isEqual(digest, TokenFile.sha256(value));
    }
  }

  private final Map<ProtocolGroup, Rule> rules;

  private RestrictedProtocols(Map<ProtocolGroup, Rule> rules) {
    this.rules = rules;
  }

  /**
   * Parses the flag values.
   *
   * @throws IllegalArgumentException with Triton's wording for a malformed value, an unknown
   *     protocol or a protocol named in two groups
   */
  public static RestrictedProtocols parse(List<String> specs) {
    Map<ProtocolGroup, Rule> rules = new EnumMap<>(ProtocolGroup.class);
    for (String spec : specs) {
      int colon = spec.lastIndexOf(':');
      int eq = colon < 0 ? -1 : spec.indexOf('=', colon);
      if (colon <= 0 || eq < 0 || eq == colon + 1) {
        throw new IllegalArgumentException(
            "--grpc-restricted-protocol expects <protocols>:<key>=<value>, got '" + spec + "'");
      }
      String key = spec.substring(colon + 1, eq).strip().toLowerCase(Locale.ROOT);
      Metadata.Key<String> header;
      try {
        header = Metadata.Key.of(HEADER_PREFIX + key, Metadata.ASCII_STRING_MARSHALLER);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--grpc-restricted-protocol: '" + key + "' is not a valid header name", e);
      }
      Rule rule = new Rule(header, TokenFile.sha256(spec.substring(eq + 1)));
      for (String name : spec.substring(0, colon).split(",")) {
        ProtocolGroup g = ProtocolGroup.byName(name);
        if (rules.putIfAbsent(g, rule) != null) {
          throw new IllegalArgumentException(
              "protocol '" + g.flagName() + "' can not be specified in multiple config groups");
        }
      }
    }
    return new RestrictedProtocols(rules);
  }

  /** The rule of a group, or {@code null} when it is not restricted. */
  Rule rule(ProtocolGroup group) {
    return rules.get(group);
  }

  /** Whether {@code s} is the header value of a restricted group (for redaction). */
  public boolean isValue(String s) {
    if (rules.isEmpty()) {
      return false;
    }
    for (Rule r : rules.values()) {
      if (r.accepts(s)) {
        return true;
      }
    }
    return false;
  }

  public boolean restricts(ProtocolGroup group) {
    return rules.containsKey(group);
  }
}
