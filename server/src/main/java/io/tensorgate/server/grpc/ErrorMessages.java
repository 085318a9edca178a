package io.tensorgate.server.grpc;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last check on every error message a client receives (a status description or a stream's
 * {@code error_message}): Java class names of exceptions are dropped, absolute file paths are cut
 * to their last two parts (the model folder and file, never where the server keeps them), control
 * characters become spaces, and the result is capped at {@value #MAX_BYTES} bytes of UTF-8.
 * Messages should already name the model, tensor and rule without any of these; this catches what
 * slips through. Stateless.
 */
public final class ErrorMessages {
  /** The most bytes (UTF-8) of an error message sent to a client. */
  public static final int MAX_BYTES = 512;

  private static final String TRUNCATED = "... (truncated)";
  private static final int MAX_SCANNED = 8 * MAX_BYTES;

  /**
   * Runs of identifier characters and dots: candidates for a class name. Patterns here use only
   * character classes, never a repeated group, which Java matches by recursion: a client-chosen
   * {@code a.a.a...} would overflow the stack.
   */
  private static final Pattern DOTTED_WORD = Pattern.compile("(?<![\\w$.])[\\w$.]+(?::\\s*)?");

  /** A run of path characters that starts with a slash, not inside a URL or relative path. */
  private static final Pattern SLASHED = Pattern.compile("(?<![\\w.:/~-])/[^\\s'\"(),;\\[\\]]+");

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t]]");

  private ErrorMessages() {}

  /** The message as a client may see it. */
  public static String sanitize(String message) {
    if (message == null || message.isEmpty()) {
      return message;
    }
    // Bounds the pattern work whatever the message's size; the cap below cuts it further.
    String s = message.length() > MAX_SCANNED ? message.substring(0, MAX_SCANNED) : message;
    s = replace(s, DOTTED_WORD, ErrorMessages::withoutExceptionClass);
    s = replace(s, SLASHED, ErrorMessages::lastTwoParts);
    s = CONTROL.matcher(s).replaceAll(" ");
    return cap(s);
  }

  /** Each match replaced by {@code f(match)}; the same string when nothing changed. */
  private static String replace(String s, Pattern p, UnaryOperator<String> f) {
    Matcher m = p.matcher(s);
    StringBuilder sb = null;
    int last = 0;
    while (m.find()) {
      String match = m.group();
      String with = f.apply(match);
      if (with.equals(match)) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(s.length());
      }
      sb.append(s, last, m.start()).append(with);
      last = m.end();
    }
    return sb == null ? s : sb.append(s, last, s.length()).toString();
  }

  /**
   * "" for a qualified exception class name ({@code java.lang.IllegalStateException}, with a
   * following colon), else the word unchanged.
   */
  private static String withoutExceptionClass(String word) {
    int colon = word.indexOf(':');
    String name = colon >= 0 ? word.substring(0, colon) : word;
    // A sentence's full stop after the name stays.
    String stop = "";
    while (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
      stop += ".";
    }
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      return word;
    }
    String simple = name.substring(dot + 1);
    if (!Character.isUpperCase(simple.charAt(0))
        || !(simple.endsWith("Exception")
            || simple.endsWith("Error")
            || simple.endsWith("Throwable"))) {
      return word;
    }
    for (String part : name.substring(0, dot).split("\\.", -1)) {
      if (part.isEmpty() || !(Character.isLowerCase(part.charAt(0)) || part.charAt(0) == '_')) {
        return word;
      }
    }
    return stop;
  }

  /** An absolute path of two or more parts cut to its last two; others unchanged. */
  private static String lastTwoParts(String path) {
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int last = trimmed.lastIndexOf('/');
    if (last <= 0) {
      return path;
    }
    int before = trimmed.lastIndexOf('/', last - 1);
    return trimmed.substring(before + 1);
  }

  private static String cap(String s) {
    // Fast path: no character takes more than three bytes in UTF-8 except surrogate pairs (four
    // bytes for two chars), so a string of at most MAX_BYTES / 3 chars always fits.
    if (s.length() <= MAX_BYTES / 3) {
      return s;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_BYTES) {
      return s;
    }
    int limit = MAX_BYTES - TRUNCATED.length();
    int bytes = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > limit) {
        break;
      }
      bytes += n;
      end += Character.charCount(cp);
    }
    return s.substring(0, end) + TRUNCATED;
  }
}
