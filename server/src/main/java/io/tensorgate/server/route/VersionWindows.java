package io.tensorgate.server.route;

import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sliding windows of answered requests per (model, version), kept only for models whose rollout is
 * in progress: other models cost one map lookup per request.
 */
final class VersionWindows implements RequestObserver {
  private final RoutingRouter router;
  private final ConcurrentHashMap<String, ConcurrentHashMap<Long, SlidingWindow>> models =
      new ConcurrentHashMap<>();

  VersionWindows(RoutingRouter router) {
    this.router = Objects.requireNonNull(router, "router");
  }

  @Override
  public void onComplete(CompletedRequest c) {
    String model = c.version().name();
    ConcurrentHashMap<Long, SlidingWindow> windows = models.get(model);
    if (windows == null) {
      return;
    }
    SlidingWindow w = windows.get(c.version().version());
    if (w == null) {
      ModelRoute r = router.get(model);
      if (r == null || !r.rolloutActive()) {
        return;
      }
      w = windows.computeIfAbsent(c.version().version(), v -> new SlidingWindow(windowNanos(r)));
    }
    w.record(c.endNanos(), !c.succeeded(), c.endNanos() - c.arrivalNanos());
  }

  static long windowNanos(ModelRoute r) {
    double s = r.config.getRollout().getWindowSeconds();
    return (long) ((s > 0 ? s : 10) * 1e9);
  }

  /** Starts keeping windows of the model's versions (a rollout began). */
  void track(String model) {
    models.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
  }

  /** Empties the version's window: its next request starts a new one. */
  void restart(String model, long version) {
    ConcurrentHashMap<Long, SlidingWindow> windows = models.get(model);
    if (windows != null) {
      windows.remove(version);
    }
  }

  /** The models whose windows are kept. */
  Set<String> models() {
    return Set.copyOf(models.keySet());
  }

  /** Stops and forgets (the rollout ended). */
  void forget(String model) {
    models.remove(model);
  }

  /** The version's window, or {@code null} when nothing was recorded for it. */
  SlidingWindow window(String model, long version) {
    ConcurrentHashMap<Long, SlidingWindow> windows = models.get(model);
    return windows == null ? null : windows.get(version);
  }
}
