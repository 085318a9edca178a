package io.tensorgate.batching;

import io.tensorgate.backend.InferenceError;

/** Puts a submitted request into a scheduler's queue, or says why not. Any submitting thread. */
interface Admission {
  /**
   * @param now the current {@link System#nanoTime()}
   * @return null when queued (the scheduler now owns the request); otherwise the refusal, and the
   *     caller keeps the request
   */
  InferenceError offer(InferenceRequest request, long now);
}
