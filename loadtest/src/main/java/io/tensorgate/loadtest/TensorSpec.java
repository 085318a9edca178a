package io.tensorgate.loadtest;

import java.util.List;
import java.util.Objects;

/**
 * A tensor as a model's metadata describes it: name, wire datatype and shape, where -1 marks a
 * variable dimension. For a batching model the shape here excludes the batch dimension.
 *
 * @param name tensor name, e.g. {@code INPUT0}
 * @param datatype wire datatype name, e.g. {@code INT32}
 * @param shape dimensions without the batch dimension; -1 for variable
 */
public record TensorSpec(String name, String datatype, List<Long> shape) {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = List.copyOf(Objects.requireNonNull(shape, "shape"));
    WireType.fromName(datatype);
  }

  /**
   * Parses {@code NAME:DATATYPE:d1,d2,...} (dimensions optional for a scalar), the form the echo
   * command takes on its command line.
   */
  public static TensorSpec parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()) {
      throw new IllegalArgumentException("expected NAME:DATATYPE:d1,d2,... but got '" + text + "'");
    }
    List<Long> dims = parts.length == 3 ? Shapes.parseDims(parts[2]) : List.of();
    return new TensorSpec(parts[0], WireType.fromName(parts[1]).name(), dims);
  }

  WireType wireType() {
    return WireType.fromName(datatype);
  }
}
