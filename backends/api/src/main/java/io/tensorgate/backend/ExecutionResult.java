package io.tensorgate.backend;

import java.util.List;
import java.util.Objects;

/**
 * What one execution produced: the requested outputs for the whole batch (shaped {@code [size,
 * ...]} when the model batches), the execution's timestamps, and the device time it used.
 *
 * <p>The output tensors belong to the caller and stay valid after the instance executes its next
 * batch: a backend that stages outputs in reusable memory copies them out first.
 *
 * @param deviceNanos time the accelerator spent on this execution as the device measured it (e.g.
 *     CUDA events around the copies and the inference), for cost accounting; 0 when the backend
 *     measures none (CPU backends)
 */
public record ExecutionResult(
    List<Tensor> outputs, ExecutionTimestamps timestamps, long deviceNanos) {
  public ExecutionResult {
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    Objects.requireNonNull(timestamps, "timestamps");
    if (deviceNanos < 0) {
      throw new IllegalArgumentException("deviceNanos must not be negative: " + deviceNanos);
    }
  }

  /** A result without device time (a backend that runs on the host's CPU). */
  public ExecutionResult(List<Tensor> outputs, ExecutionTimestamps timestamps) {
    this(outputs, timestamps, 0);
  }
}
