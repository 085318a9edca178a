package io.tensorgate.backend;

/**
 * The four moments every backend reports for one execution, from {@link System#nanoTime()}, so that
 * all backends' statistics compare (Triton's backend API reports the same four):
 *
 * <ul>
 *   <li>{@code execStart}: the instance started on the batch;
 *   <li>{@code computeStart}: inputs are in place (after any copies, e.g. host to device);
 *   <li>{@code computeEnd}: the model finished;
 *   <li>{@code execEnd}: outputs are ready for the caller.
 * </ul>
 *
 * Compute-input time is {@code computeStart - execStart}, compute-infer time {@code computeEnd -
 * computeStart}, compute-output time {@code execEnd - computeEnd}.
 */
public record ExecutionTimestamps(
    long execStart, long computeStart, long computeEnd, long execEnd) {
  public long computeInputNanos() {
    return computeStart - execStart;
  }

  public long computeInferNanos() {
    return computeEnd - computeStart;
  }

  public long computeOutputNanos() {
    return execEnd - computeEnd;
  }
}
