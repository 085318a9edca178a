package io.tensorgate.server.codec;

import java.util.List;

/**
 * Client-chosen text echoed in error messages (names, ids, lists of names), shortened so that a
 * message stays a few hundred bytes whatever the client sent. Stateless.
 */
final class Echo {
  static final int MAX_CHARS = 64;
  static final int MAX_ITEMS = 8;

  private Echo() {}

  /** The text, or its first {@value #MAX_CHARS} characters and "...". */
  static String text(String s) {
    return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + "...";
  }

  /** {@code [a,b]}, with at most {@value #MAX_ITEMS} items and the count of the others. */
  static String list(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    int shown = Math.min(items.size(), MAX_ITEMS);
    for (int i = 0; i < shown; i++) {
      sb.append(i > 0 ? "," : "").append(items.get(i));
    }
    if (shown < items.size()) {
      sb.append(",... (").append(items.size()).append(" in all)");
    }
    return sb.append(']').toString();
  }
}
