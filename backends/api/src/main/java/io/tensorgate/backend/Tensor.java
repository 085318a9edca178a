package io.tensorgate.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * A tensor's values: name, element type, shape and little-endian, row-major bytes.
 *
 * <p>The bytes are one buffer, from position 0 to its limit, or (for a request whose bytes arrived
 * in several network frames) several segments in order, none copied: {@link #copyTo} gathers them
 * where they are needed. For {@link DataType#BYTES} each element is a 4-byte little-endian length
 * followed by that many bytes. A tensor does not copy its buffers: whoever made it says how long
 * they stay valid (see {@link Batch} and {@link ExecutionResult}). Tensors a backend receives in a
 * {@link Batch} are always one buffer.
 */
public final class Tensor {
  private final String name;
  private final DataType dataType;
  private final long[] shape;
  // Exactly one of the two is set.
  private final ByteBuffer data;
  private final ByteBuffer[] segments;
  private final int byteSize;

  /**
   * Wraps {@code data} without copying. The shape array is kept as given: callers must not change
   * it afterwards.
   */
  public Tensor(String name, DataType dataType, long[] shape, ByteBuffer data) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.data = Objects.requireNonNull(data, "data").slice().order(ByteOrder.LITTLE_ENDIAN);
    this.segments = null;
    this.byteSize = this.data.remaining();
  }

  private Tensor(String name, DataType dataType, long[] shape, ByteBuffer[] segments, int size) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.data = null;
    this.segments = segments;
    this.byteSize = size;
  }

  /**
   * A tensor whose bytes are the remaining bytes of {@code segments}, in order; none is copied.
   * With one segment this is the plain constructor.
   *
   * @throws IllegalArgumentException when the segments hold 2 GiB or more together
   */
  public static Tensor ofSegments(
      String name, DataType dataType, long[] shape, List<ByteBuffer> segments) {
    if (segments.size() == 1) {
      return new Tensor(name, dataType, shape, segments.get(0));
    }
    ByteBuffer[] views = new ByteBuffer[segments.size()];
    long size = 0;
    for (int i = 0; i < views.length; i++) {
      views[i] = segments.get(i).slice().order(ByteOrder.LITTLE_ENDIAN);
      size += views[i].remaining();
    }
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + size + " bytes");
    }
    return new Tensor(name, dataType, shape, views, (int) size);
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

  /**
   * A little-endian view of the bytes, positioned at 0; a new view on every call. For a tensor in
   * several segments this is a copy of them in a new heap buffer: use {@link #copyTo} on hot paths.
   */
  public ByteBuffer data() {
    if (segments == null) {
      return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer copy = ByteBuffer.allocate(byteSize).order(ByteOrder.LITTLE_ENDIAN);
    copyTo(copy);
    return copy.flip();
  }

  /** How many buffers the bytes lie in: 1, or more for a tensor made {@link #ofSegments}. */
  public int segmentCount() {
    return segments == null ? 1 : segments.length;
  }

  /** A little-endian view of segment {@code i} (of {@link #segmentCount()}), positioned at 0. */
  public ByteBuffer segment(int i) {
    if (segments == null) {
      Objects.checkIndex(i, 1);
      return data();
    }
    return segments[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether the bytes are one direct buffer, which native code can read in place. */
  public boolean isDirect() {
    return segments == null && data.isDirect();
  }

  /** Puts the bytes into {@code target} at its position, which advances by {@link #byteSize}. */
  public void copyTo(ByteBuffer target) {
    if (segments == null) {
      target.put(data.duplicate());
      return;
    }
    for (ByteBuffer s : segments) {
      target.put(s.duplicate());
    }
  }

  /** The size of the data in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /** The number of elements of the shape. */
  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Shapes.toString(shape) + "(" + byteSize + " bytes)";
  }
}
