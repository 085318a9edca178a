package io.tensorgate.server.logging;

import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from log text before it is written, at every verbosity: the values of
 * credential headers ({@code authorization}, {@code proxy-authorization}, {@code cookie}, {@code
 * set-cookie}, Triton's restricted-protocol headers {@code triton-grpc-protocol-*}) wherever they
 * appear as {@code name: value} or {@code name=value} (HTTP/2 frame logs, gRPC metadata), and any
 * word the {@code secret} predicate recognises (the tokens of the token file, compared by digest).
 * Immutable and thread-safe.
 */
public final class Redactor {
  static final String REDACTED = "<redacted>";

  private static final Pattern CREDENTIAL_HEADER =
      Pattern.compile(
          "(?i)(?<![\\w-])(authorization|proxy-authorization|cookie|set-cookie"
              + "|triton-grpc-protocol-[\\w.-]*)(\\s*[:=]\\s*)([^,\\]\\)\\r\\n]*)");

  /** Characters that separate a secret from its surroundings in log text. */
  private static final Pattern WORD_BREAK = Pattern.compile("[\\s,;\"'\\[\\](){}<>]+");

  /** Shorter words are never looked up: restricted-protocol values may be short but are headers. */
  private static final int MIN_SECRET_LENGTH = 8;

  private final Predicate<String> secret;

  private Redactor(Predicate<String> secret) {
    this.secret = secret;
  }

  /** Redacts credential headers only. */
  public static Redactor headersOnly() {
    return new Redactor(null);
  }

  /** Redacts credential headers and every word {@code secret} accepts. */
  public static Redactor withSecrets(Predicate<String> secret) {
    return new Redactor(Objects.requireNonNull(secret, "secret"));
  }

  /** The text with credentials replaced by {@value #REDACTED}; {@code null} stays {@code null}. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    Matcher m = CREDENTIAL_HEADER.matcher(out);
    if (m.find()) {
      StringBuilder sb = new StringBuilder(out.length());
      do {
        m.appendReplacement(sb, "");
        sb.append(m.group(1)).append(m.group(2)).append(REDACTED);
      } while (m.find());
      m.appendTail(sb);
      out = sb.toString();
    }
    return secret == null ? out : redactSecrets(out);
  }

  private String redactSecrets(String text) {
    StringBuilder sb = null;
    int start = 0;
    Matcher breaks = WORD_BREAK.matcher(text);
    while (start < text.length()) {
      int end = breaks.find(start) ? breaks.start() : text.length();
      int next = end < text.length() ? breaks.end() : end;
      int from = end - start >= MIN_SECRET_LENGTH ? secretFrom(text.substring(start, end)) : -1;
      if (from >= 0) {
        if (sb == null) {
          sb = new StringBuilder(text.length()).append(text, 0, start);
        }
        sb.append(text, start, start + from).append(REDACTED);
      } else if (sb != null) {
        sb.append(text, start, end);
      }
      if (sb != null) {
        sb.append(text, end, next);
      }
      start = next;
    }
    return sb == null ? text : sb.toString();
  }

  /**
   * Where the secret in a word starts: 0 for the whole word, after the first {@code =} or {@code :}
   * for a {@code key=secret} word, or -1 when the word holds none.
   */
  private int secretFrom(String word) {
    if (secret.test(word)) {
      return 0;
    }
    int eq = word.indexOf('=');
    int colon = word.indexOf(':');
    int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    if (sep > 0
        && word.length() - sep - 1 >= MIN_SECRET_LENGTH
        && secret.test(word.substring(sep + 1))) {
      return sep + 1;
    }
    return -1;
  }
}
