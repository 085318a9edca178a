package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Shapes;
import java.util.Objects;

/**
 * One I/O tensor of a TensorRT engine, as its IO tensors API reports it: name, direction, type
 * code, shape (-1 for dynamic dimensions) and whether it uses a linear memory layout. Immutable.
 */
final class EngineTensor {
  private final String name;
  private final boolean input;
  private final int trtType;
  private final long[] shape;
  private final boolean linear;
  private final boolean onDevice;

  /**
   * @param linear whether the tensor's format is {@code kLINEAR} (row-major, no vectorization)
   * @param onDevice whether the tensor lives in device memory (not a host shape tensor)
   */
  EngineTensor(
      String name, boolean input, int trtType, long[] shape, boolean linear, boolean onDevice) {
    this.name = Objects.requireNonNull(name, "name");
    this.input = input;
    this.trtType = trtType;
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    this.linear = linear;
    this.onDevice = onDevice;
  }

  String name() {
    return name;
  }

  boolean isInput() {
    return input;
  }

  int trtType() {
    return trtType;
  }

  /** The Triton datatype, or {@code null} when there is none (see {@link TrtDataTypes}). */
  DataType dataType() {
    return TrtDataTypes.toDataType(trtType);
  }

  /** A copy of the shape. */
  long[] shape() {
    return shape.clone();
  }

  int rank() {
    return shape.length;
  }

  long dim(int i) {
    return shape[i];
  }

  boolean isLinear() {
    return linear;
  }

  boolean isOnDevice() {
    return onDevice;
  }

  @Override
  public String toString() {
    return (input ? "input " : "output ")
        + name
        + ":"
        + TrtDataTypes.name(trtType)
        + Shapes.toString(shape);
  }
}
