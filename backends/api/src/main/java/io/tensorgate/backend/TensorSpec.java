package io.tensorgate.backend;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, typed tensor signature: the name, element type and shape of a model input or output. A
 * dimension of -1 is variable.
 *
 * <p>Whether the shape includes the batch dimension depends on where the spec comes from: a
 * backend's {@link ModelSignature} is the model file's full shape; a {@link ModelDefinition}'s
 * specs follow Triton's config and leave the batch dimension out when the model batches.
 */
public final class TensorSpec {
  private final String name;
  private final DataType dataType;
  private final long[] shape;

  public TensorSpec(String name, DataType dataType, long[] shape) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
  }

  public String name() {
    return name;
  }

  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape; see {@link #rank()} and {@link #dim(int)} for allocation-free reads. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && name.equals(t.name)
        && dataType == t.dataType
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dataType, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Shapes.toString(shape);
  }
}
