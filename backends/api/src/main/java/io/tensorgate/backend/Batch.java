package io.tensorgate.backend;

import java.util.List;
import java.util.Objects;

/**
 * One execution's worth of input: the requests of a batch, concatenated along the batch dimension.
 *
 * <p>Made by the scheduler. The input buffers belong to the scheduler and are valid only during
 * {@link ModelInstance#execute}: a backend must not keep them (or views of them) after it returns.
 *
 * @param size the batch size: the sum of the requests' leading dimensions, or 1 for a model that
 *     does not batch
 * @param inputs every input of the model (those a request omitted as optional are absent), each
 *     shaped {@code [size, ...]} when the model batches
 * @param requestedOutputs the output names the batch's requests asked for, in the model's order
 */
public record Batch(int size, List<Tensor> inputs, List<String> requestedOutputs) {
  public Batch {
    if (size < 1) {
      throw new IllegalArgumentException("batch size " + size + " < 1");
    }
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    requestedOutputs = List.copyOf(Objects.requireNonNull(requestedOutputs, "requestedOutputs"));
  }
}
