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

/**
 * Bearer tokens per protocol group, read from a file with one rule per line:
 *
 * <pre>
 * # comment
 * admin,model-repository: 3f9a...long random token...
 * inference,metadata,health: 77c1...another token...
 * *: a token for every group not named on another line
 * </pre>
 *
 * <p>A group named on several lines accepts any of their tokens (rotation: add the new token, move
 * clients over, remove the old one). Groups without a rule are not token-checked. Tokens are at
 * least {@value #MIN_TOKEN_LENGTH} characters without spaces. Only SHA-256 digests are kept, and a
 * presented token is compared with {@link MessageDigest#isEqual} against every accepted digest, so
 * the time taken says nothing about how much of it matched. Immutable.
 */
public final class TokenFile {
  public static final int MIN_TOKEN_LENGTH = 16;

  private final Map<ProtocolGroup, List<byte[]>> digests;

  private TokenFile(Map<ProtocolGroup, List<byte[]>> digests) {
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
    Map<ProtocolGroup, List<byte[]>> specific = new EnumMap<>(ProtocolGroup.class);
    List<byte[]> shared = new ArrayList<>();
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
      byte[] digest = sha256(token);
      for (String name : line.substring(0, colon).split(",")) {
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
    Map<ProtocolGroup, List<byte[]>> all = new EnumMap<>(ProtocolGroup.class);
    for (ProtocolGroup g : ProtocolGroup.values()) {
      List<byte[]> d = specific.getOrDefault(g, shared);
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
    List<byte[]> accepted = digests.get(group);
    if (accepted == null) {
      return false;
    }
    byte[] presented = sha256(token);
    boolean match = false;
    for (byte[] d : accepted) {
      // No early exit: every accepted token is compared whatever the outcome.
      match |= MessageDigest.isEqual(d, presented);
    }
    return match;
  }

  /** Whether {@code s} is a token of any group (for redaction; not a constant-time check). */
  public boolean isToken(String s) {
    if (s.length() < MIN_TOKEN_LENGTH || digests.isEmpty()) {
      return false;
    }
    byte[] d = sha256(s);
    for (List<byte[]> accepted : digests.values()) {
      for (byte[] a : accepted) {
        if (MessageDigest.isEqual(a, d)) {
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
