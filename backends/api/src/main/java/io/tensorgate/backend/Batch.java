package io.tensorgate.backend;

import java.util.List;
import java.util.Objects;

/**
 * One execution's worth of input: the requests of a batch, concatenated along the batch dimension.
 *
 * <p>Made by the scheduler. The input buffers belong to the scheduler (or, for inputs it gathered
 * into {@link ModelInstance#inputBuffer}, to the instance) and are valid only during {@link
 * ModelInstance#execute}: a backend must not keep them (or views of them) after it returns.
 *
 * @param size the batch size: the sum of the requests' leading dimensions, or 1 for a model that
 *     does not batch
 * @param inputs every input of the model (those a request omitted as optional are absent), each
 *     shaped {@code [size, ...]} when the model batches
 * @param requestedOutputs the output names the batch's requests asked for, in the model's order
 * @param inInstanceMemory bit {@code i} set: {@code inputs.get(i)} was gathered into the buffer the
 *     executing instance returned from {@link ModelInstance#inputBuffer} for this batch, so that it
 *     is already where the instance reads it (inputs past the 64th are never marked)
 */
public record Batch(
    int size, List<Tensor> inputs, List<String> requestedOutputs, long inInstanceMemory) {
  public Batch {
    if (size < 1) {
      throw new IllegalArgumentException("batch size " + size + " < 1");
    }
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    requestedOutputs = List.copyOf(Objects.requireNonNull(requestedOutputs, "requestedOutputs"));
  }

  /** A batch whose inputs lie in the scheduler's memory. */
  public Batch(int size, List<Tensor> inputs, List<String> requestedOutputs) {
    this(size, inputs, requestedOutputs, 0L);
  }

  /** Whether input {@code index} lies in the executing instance's own {@code inputBuffer}. */
  public boolean inInstanceMemory(int index) {
    return index < Long.SIZE && (inInstanceMemory & (1L << index)) != 0;
  }
}
