package io.tensorgate.server.grpc;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.Executor;

/**
 * The gRPC transport's event loops, and which one runs the calling thread: a call's handler runs on
 * its connection's loop (the server uses a direct executor), and work for the call that another
 * thread finishes goes back to that loop, where grpc-java writes the response anyway.
 *
 * <p>Thread-safe. {@link #use} once the transport exists; until then, and on other threads, {@link
 * #current} is null.
 */
public final class EventLoops {
  private volatile EventExecutorGroup group;
  // Each transport thread's own loop, found once.
  private final ThreadLocal<EventExecutor> mine = new ThreadLocal<>();

  /** The transport's worker loops, which run the calls' handlers. */
  public void use(EventExecutorGroup workers) {
    this.group = workers;
  }

  /** The loop running the calling thread, or null when it is not one of them. */
  Executor current() {
    EventExecutor e = mine.get();
    if (e != null) {
      return e;
    }
    EventExecutorGroup g = group;
    if (g == null) {
      return null;
    }
    for (EventExecutor candidate : g) {
      if (candidate.inEventLoop()) {
        mine.set(candidate);
        return candidate;
      }
    }
    return null;
  }
}
