package io.tensorgate.backend;

import java.util.List;
import java.util.Objects;

/**
 * What one execution produced: the requested outputs for the whole batch (shaped {@code [size,
 * ...]} when the model batches) and the execution's timestamps.
 *
 * <p>The output tensors belong to the caller and stay valid after the instance executes its next
 * batch: a backend that stages outputs in reusable memory copies them out first.
 */
public record ExecutionResult(List<Tensor> outputs, ExecutionTimestamps timestamps) {
  public ExecutionResult {
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    Objects.requireNonNull(timestamps, "timestamps");
  }
}
