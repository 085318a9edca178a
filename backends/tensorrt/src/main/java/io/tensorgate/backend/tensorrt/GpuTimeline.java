package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.ExecutionTimestamps;

/**
 * Turns one execution's host clock readings and its GPU phase durations (CUDA events around the
 * input copies, the enqueued inference and the output copies) into the four {@link
 * ExecutionTimestamps}. The GPU phases are laid out from the moment the first copy was issued, an
 * approximation (the stream may start later) that keeps every backend's four phases comparable; the
 * result is clamped so that the timestamps never go backwards or past {@code execEnd}.
 */
final class GpuTimeline {
  private GpuTimeline() {}

  /**
   * @param execStart host time the instance started on the batch
   * @param issueStart host time the first host-to-device copy was issued
   * @param inputMillis GPU time of the input copies
   * @param inferMillis GPU time of the inference
   * @param execEnd host time the outputs were ready for the caller
   */
  static ExecutionTimestamps timestamps(
      long execStart, long issueStart, float inputMillis, float inferMillis, long execEnd) {
    long computeStart = clamp(issueStart + nanos(inputMillis), execStart, execEnd);
    long computeEnd = clamp(computeStart + nanos(inferMillis), computeStart, execEnd);
    return new ExecutionTimestamps(execStart, computeStart, computeEnd, execEnd);
  }

  /** CUDA's float milliseconds as whole nanoseconds; 0 for anything not positive. */
  static long nanos(float millis) {
    return millis > 0 ? Math.round(millis * 1_000_000.0) : 0;
  }

  private static long clamp(long v, long low, long high) {
    return Math.max(low, Math.min(v, high));
  }
}
