package io.tensorgate.server.grpc;

import java.nio.charset.StandardCharsets;
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

  /** {@code java.lang.IllegalStateException: }, {@code com.foo.BarError}, with the colon. */
  private static final Pattern EXCEPTION_CLASS =
      Pattern.compile(
          "(?<![\\w$.])(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)"
              + "(?![\\w$])(?::\\s*)?");

  /** An absolute path of two or more parts, not part of a URL or a relative path. */
  private static final Pattern ABSOLUTE_PATH =
      Pattern.compile("(?<![\\w.:/~-])/(?:[^\\s/'\"(),;\\[\\]]+/)+[^\\s/'\"(),;\\[\\]]*");

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\t]]");

  private ErrorMessages() {}

  /** The message as a client may see it. */
  public static String sanitize(String message) {
    if (message == null || message.isEmpty()) {
      return message;
    }
    String s = EXCEPTION_CLASS.matcher(message).replaceAll("");
    s = shortenPaths(s);
    s = CONTROL.matcher(s).replaceAll(" ");
    return cap(s);
  }

  private static String shortenPaths(String s) {
    Matcher m = ABSOLUTE_PATH.matcher(s);
    if (!m.find()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    do {
      String path = m.group();
      String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      int last = trimmed.lastIndexOf('/');
      int before = last > 0 ? trimmed.lastIndexOf('/', last - 1) : -1;
      m.appendReplacement(sb, Matcher.quoteReplacement(trimmed.substring(before + 1)));
    } while (m.find());
    m.appendTail(sb);
    return sb.toString();
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
