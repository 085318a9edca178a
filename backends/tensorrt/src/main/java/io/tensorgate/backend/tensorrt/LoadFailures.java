package io.tensorgate.backend.tensorrt;

import java.util.List;

/** Words for a native library that did not load. */
final class LoadFailures {
  private LoadFailures() {}

  /**
   * The innermost cause's message, which for JavaCPP is the dynamic loader's own words, without the
   * path of the library that was being loaded: {@code libcuda.so.1: cannot open shared object file:
   * No such file or directory} rather than the outer "no jnicudart in java.library.path".
   */
  static String describe(Throwable error) {
    Throwable innermost = error;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      innermost = t;
    }
    String message = innermost.getMessage();
    if (message == null || message.isBlank()) {
      return innermost.getClass().getName();
    }
    int colon = message.indexOf(": ");
    return message.startsWith("/") && colon > 0 ? message.substring(colon + 2) : message;
  }

  /**
   * Why something did not load, with every library the host lacks: {@code <what> did not load:
   * <loader's words>; missing here: libA, libB}.
   */
  static String unavailable(String what, Throwable error, List<String> missing) {
    return what
        + " did not load: "
        + describe(error)
        + (missing.isEmpty() ? "" : "; missing here: " + String.join(", ", missing));
  }
}
