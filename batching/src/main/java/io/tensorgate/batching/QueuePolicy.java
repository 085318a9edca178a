package io.tensorgate.batching;

/**
 * Triton's {@code ModelQueuePolicy} for one priority level.
 *
 * @param timeoutAction what to do with a request whose queue timeout expired
 * @param defaultTimeoutMicros the queue timeout of requests that set none; 0 means none
 * @param allowTimeoutOverride whether a request's {@code timeout} parameter applies (it may only
 *     shorten the default)
 * @param maxQueueSize the most requests waiting at this level; 0 means no limit beyond the ring
 */
public record QueuePolicy(
    TimeoutAction timeoutAction,
    long defaultTimeoutMicros,
    boolean allowTimeoutOverride,
    int maxQueueSize) {
  /** Triton's default: reject on timeout, no timeout, no override, no size limit. */
  public static final QueuePolicy DEFAULT = new QueuePolicy(TimeoutAction.REJECT, 0, false, 0);

  /** What happens when a queued request's timeout expires. */
  public enum TimeoutAction {
    /** Answer it UNAVAILABLE "Request timeout expired" without running it. */
    REJECT,
    /** Keep it, behind every request that has not timed out. */
    DELAY
  }

  public QueuePolicy {
    if (defaultTimeoutMicros < 0 || maxQueueSize < 0) {
      throw new IllegalArgumentException("negative timeout or queue size");
    }
    java.util.Objects.requireNonNull(timeoutAction, "timeoutAction");
  }
}
