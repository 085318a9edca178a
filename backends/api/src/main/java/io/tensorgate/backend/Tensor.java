package io.tensorgate.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A tensor's values: name, element type, shape and a little-endian, row-major buffer.
 *
 * <p>The buffer holds exactly the tensor's bytes from position 0 to its limit. For {@link
 * DataType#BYTES} each element is a 4-byte little-endian length followed by that many bytes. A
 * tensor does not copy its buffer: whoever made it says how long the buffer stays valid (see {@link
 * Batch} and {@link ExecutionResult}).
 */
public final class Tensor {
  private final String name;
  private final DataType dataType;
  private final long[] shape;
  private final ByteBuffer data;

  /**
   * Wraps {@code data} without copying. The shape array is kept as given: callers must not change
   * it afterwards.
   */
  public Tensor(String name, DataType dataType, long[] shape, ByteBuffer data) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.data = Objects.requireNonNull(data, "data").slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  public String name() {
    return name;
  }

  public DataType dataType() {
    return dataType;
  }

  /** The shape; the array is shared, not copied, and must not be modified. */
  public long[] shape() {
    return shape;
  }

  /** A little-endian view of the bytes, positioned at 0; a new view on every call. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The size of the data in bytes. */
  public int byteSize() {
    return data.remaining();
  }

  /** The number of elements of the shape. */
  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Shapes.toString(shape) + "(" + data.remaining() + " bytes)";
  }
}
