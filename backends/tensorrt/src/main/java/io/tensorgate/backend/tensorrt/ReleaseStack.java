package io.tensorgate.backend.tensorrt;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * What an owner must release, run in the reverse order it was acquired and each exactly once: the
 * undo list of a creation in several steps, which then becomes the owner's close. A release that
 * throws is logged and does not stop the ones after it, since close paths must go on.
 *
 * <p>Threading: not thread-safe; used by its owner only.
 */
final class ReleaseStack implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ReleaseStack.class.getName());

  private final Deque<Named> releases = new ArrayDeque<>();

  private record Named(String what, Runnable release) {}

  /** Adds a release, run before every release pushed earlier. */
  void push(String what, Runnable release) {
    releases.push(new Named(Objects.requireNonNull(what, "what"), release));
  }

  /** Runs every release pushed, newest first; later calls run only what was pushed since. */
  @Override
  public void close() {
    while (!releases.isEmpty()) {
      Named r = releases.pop();
      try {
        r.release().run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "releasing " + r.what() + " failed; going on", e);
      }
    }
  }
}
