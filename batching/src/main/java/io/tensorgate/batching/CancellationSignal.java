package io.tensorgate.batching;

/**
 * Tells the scheduler whether the caller gave up on a request (a cancelled gRPC call or a closed
 * stream). Polled before a request is put into a batch; must be cheap and thread-safe.
 */
@FunctionalInterface
public interface CancellationSignal {
  CancellationSignal NEVER = () -> false;

  boolean isCancelled();
}
