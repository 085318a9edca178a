package io.tensorgate.loadtest;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * The input tensors of one request, with full shapes (batch dimension included when the model
 * batches) and raw little-endian contents. Immutable; built once before a run and reused.
 */
record Payload(List<Input> inputs) {

  record Input(String name, String datatype, List<Long> shape, ByteString raw) {
    Input {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(datatype, "datatype");
      shape = List.copyOf(shape);
      Objects.requireNonNull(raw, "raw");
    }
  }

  Payload {
    inputs = List.copyOf(inputs);
  }

  /** Total raw bytes of all inputs. */
  long byteSize() {
    long size = 0;
    for (Input input : inputs) {
      size += input.raw().size();
    }
    return size;
  }
}
