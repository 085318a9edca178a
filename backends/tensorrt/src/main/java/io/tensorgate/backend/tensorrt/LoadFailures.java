package io.tensorgate.backend.tensorrt;

/** Words for a native library that did not load. */
final class LoadFailures {
  private LoadFailures() {}

  /**
   * The innermost cause's message: for JavaCPP that is the dynamic loader's own words, e.g. {@code
   * .../libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory},
   * rather than the outer "no jnicudart in java.library.path".
   */
  static String describe(Throwable error) {
    Throwable innermost = error;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      innermost = t;
    }
    String message = innermost.getMessage();
    return message == null || message.isBlank() ? innermost.getClass().getName() : message;
  }
}
