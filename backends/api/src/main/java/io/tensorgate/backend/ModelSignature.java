package io.tensorgate.backend;

import java.util.List;
import java.util.Objects;

/**
 * The inputs and outputs a model file declares, with full shapes as the file has them (batch
 * dimension included, -1 for symbolic or unknown dimensions). Used to auto-complete and to check a
 * model's configuration.
 */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  public ModelSignature {
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    outputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
  }
}
