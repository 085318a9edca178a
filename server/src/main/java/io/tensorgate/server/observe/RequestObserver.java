package io.tensorgate.server.observe;

/**
 * Told about every inference that reached a model version, after its answer was sent: the hook for
 * side paths (histograms, drift, payload logs, tracing).
 *
 * <p>Called on the thread that answered (an instance worker, or a request thread when validation
 * failed). Implementations must not block: they sample, hand off to a bounded queue, or drop and
 * count. An exception thrown here is logged and does not affect the request.
 */
@FunctionalInterface
public interface RequestObserver {
  void onComplete(CompletedRequest request);
}
