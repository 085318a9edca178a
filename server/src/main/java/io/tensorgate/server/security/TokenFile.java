package io.tensorgate.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bearer tokens per protocol group, read from a file with one rule per line:
 *
 * <pre>
 * # comment
 * operators=admin,model-repository: 3f9a...long random token...
 * inference,metadata,health: 77c1...another token...
 * *: a token for every group not named on another line
 * </pre>
 *
 * <p>A rule may start with a name and '=' ({@code operators=}): the audit trail names callers by
 * the rule whose token they sent, never by the token; a rule without a name is called {@code
 * line-<n>}. Names are letters, digits, '.', '_' and '-'.
 *
 * <p>A group named on several lines accepts any of their tokens (rotation: add the new token, move
 * clients over, remove the old one). Groups without a rule are not token-checked. Tokens are at
 * least {@value #MIN_TOKEN_LENGTH} characters without spaces. Only SHA-256 digests are kept, and a
 * presented token is compared with {@link MessageDigest#isEqual} against every accepted digest, so
 * the time taken says nothing about how much of it matched. Immutable.
 */
public final class TokenFile {
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final Pattern RULE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A token's digest and the name of the rule that gives it. */
  private record Accepted(byte[] digest, String rule) {}

  private final Map<ProtocolGroup, List<Accepted>> digests;

  private TokenFile(Map<ProtocolGroup, List<Accepted>> digests) {
    this.digests = digests;
  }

  /** No tokens: every group is open as far as bearer tokens go. */
  public static TokenFile none() {
    return new TokenFile(new EnumMap<>(ProtocolGroup.class));
  }

  /**
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the line of a malformed rule
   */
  public static TokenFile read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses rules; {@code source} names the file in error messages. */
  public static TokenFile parse(List<String> lines, String source) {
    Map<ProtocolGroup, List<Accepted>> specific = new EnumMap<>(ProtocolGroup.class);
    List<Accepted> shared = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(where + ": expected '<protocols>: <token>'");
      }
      String token = line.substring(colon + 1).strip();
      if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            where
                + ": a token must be at least "
                + MIN_TOKEN_LENGTH
                + " characters without spaces");
      }
      String groups = line.substring(0, colon);
      String rule = "line-" + (i + 1);
      int eq = groups.indexOf('=');
      if (eq >= 0) {
        rule = groups.substring(0, eq).strip();
        groups = groups.substring(eq + 1);
        if (!RULE_NAME.matcher(rule).matches()) {
          throw new IllegalArgumentException(
              where + ": a rule name is letters, digits, '.', '_' and '-' (at most 64)");
        }
      }
      Accepted digest = new Accepted(sha256(token), rule);
      for (String name : groups.split(",")) {
        if (name.strip().equals("*")) {
          shared.add(digest);
          continue;
        }
        try {
          specific.computeIfAbsent(ProtocolGroup.byName(name), g -> new ArrayList<>()).add(digest);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
      }
    }
    Map<ProtocolGroup, List<Accepted>> all = new EnumMap<>(ProtocolGroup.class);
    for (ProtocolGroup g : ProtocolGroup.values()) {
      List<Accepted> d = specific.getOrDefault(g, shared);
      if (!d.isEmpty()) {
        all.put(g, List.copyOf(d));
      }
    }
    return new TokenFile(all);
  }

  /** Whether calls of the group must carry one of its tokens. */
  public boolean protects(ProtocolGroup group) {
    return digests.containsKey(group);
  }

  /** Whether {@code token} is one of the group's tokens; compared in constant time. */
  public boolean accepts(ProtocolGroup group, String token) {
    return ruleFor(group, token) != null;
  }

  /**
   * The name of the group's rule whose token {@code token} is, or {@code null} when it is none of
   * them; compared in constant time, as {@link #accepts}.
   */
  public String ruleFor(ProtocolGroup group, String token) {
    List<Accepted> accepted = digests.get(group);
    if (accepted == null) {
      return null;
    }
    byte[] presented = sha256(token);
    String match = null;
    for (Accepted a : accepted) {
      // No early exit: every accepted token is compared whatever the outcome.
      if (MessageDigest.isEqual(a.digest(), presented) && match == null) {
        match = a.rule();
      }
    }
    return match;
  }

  /** Whether {@code s} is a token of any group (for redaction; not a constant-time check). */
  public boolean isToken(String s) {
    if (s.length() < MIN_TOKEN_LENGTH || digests.isEmpty()) {
      return false;
    }
    byte[] d = sha256(s);
    for (List<Accepted> accepted : digests.values()) {
      for (Accepted a : accepted) {
        if (MessageDigest.isEqual(a.digest(), d)) {
          return true;
        }
      }
    }
    return false;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
