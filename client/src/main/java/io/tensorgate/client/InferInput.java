package io.tensorgate.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One input tensor of a request: name, datatype, shape and its data, already in the protocol's
 * little-endian layout (or a shared-memory reference instead of data).
 *
 * <p>The factories copy Java arrays once into that layout; {@link #raw} wraps a buffer the caller
 * has already laid out without copying it. The shape comes after the data, e.g. {@code
 * InferInput.of("INPUT0", new int[16], 1, 16)}, and must hold exactly the values given. Instances
 * are immutable (except for the contents of a buffer passed to {@link #raw}) and thread-safe.
 */
public final class InferInput {
  private final String name;
  private final Datatype datatype;
  private final long[] shape;
  private final ByteString data;
  private final SharedMemoryRef sharedMemory;

  private InferInput(
      String name, Datatype datatype, long[] shape, ByteString data, SharedMemoryRef shm) {
    this.name = Objects.requireNonNull(name, "name");
    this.datatype = Objects.requireNonNull(datatype, "datatype");
    this.shape = shape.clone();
    this.data = data;
    this.sharedMemory = shm;
  }

  /** FP32 rows: shape {@code [rows.length, rows[0].length]}; the rows must have equal lengths. */
  public static InferInput of(String name, float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    ByteBuffer b = allocate(Math.multiplyExact(rows.length, cols), 4);
    for (float[] row : rows) {
      if (row.length != cols) {
        throw new IllegalArgumentException(
            "tensor '"
                + Shapes.clip(name)
                + "': rows differ in length ("
                + cols
                + ", "
                + row.length
                + ")");
      }
      b.asFloatBuffer().put(row);
      b.position(b.position() + 4 * cols);
    }
    return fixed(name, Datatype.FP32, new long[] {rows.length, cols}, b.flip());
  }

  /** FP32 values in row-major order. */
  public static InferInput of(String name, float[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 4);
    b.asFloatBuffer().put(values);
    return fixed(name, Datatype.FP32, shape, b);
  }

  /** FP64 values in row-major order. */
  public static InferInput of(String name, double[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 8);
    b.asDoubleBuffer().put(values);
    return fixed(name, Datatype.FP64, shape, b);
  }

  /** INT32 values in row-major order. */
  public static InferInput of(String name, int[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 4);
    b.asIntBuffer().put(values);
    return fixed(name, Datatype.INT32, shape, b);
  }

  /** INT64 values in row-major order. */
  public static InferInput of(String name, long[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 8);
    b.asLongBuffer().put(values);
    return fixed(name, Datatype.INT64, shape, b);
  }

  /** INT16 values in row-major order. */
  public static InferInput of(String name, short[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 2);
    b.asShortBuffer().put(values);
    return fixed(name, Datatype.INT16, shape, b);
  }

  /** BOOL values in row-major order (one byte each). */
  public static InferInput of(String name, boolean[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) (values[i] ? 1 : 0);
    }
    return fixed(name, Datatype.BOOL, shape, ByteBuffer.wrap(bytes));
  }

  /** BYTES elements holding these strings as UTF-8. */
  public static InferInput of(String name, String[] values, long... shape) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return of(name, bytes, shape);
  }

  /** BYTES elements, each sent as-is with Triton's 4-byte little-endian length prefix. */
  public static InferInput of(String name, byte[][] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    return new InferInput(
        name,
        Datatype.BYTES,
        shape,
        UnsafeByteOperations.unsafeWrap(BytesFraming.encode(values)),
        null);
  }

  /** INT8 values in row-major order. */
  public static InferInput int8(String name, byte[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    return fixed(name, Datatype.INT8, shape, ByteBuffer.wrap(values.clone()));
  }

  /** UINT8 values (Java bytes read as unsigned: {@code (byte) 255} is 255) in row-major order. */
  public static InferInput uint8(String name, byte[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    return fixed(name, Datatype.UINT8, shape, ByteBuffer.wrap(values.clone()));
  }

  /** UINT16 values, each in 0..65535, in row-major order. */
  public static InferInput uint16(String name, int[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 2);
    for (int v : values) {
      if (v < 0 || v > 0xffff) {
        throw new IllegalArgumentException(
            "tensor '" + Shapes.clip(name) + "': " + v + " is not a UINT16");
      }
      b.putShort((short) v);
    }
    return fixed(name, Datatype.UINT16, shape, b.flip());
  }

  /** UINT32 values, each in 0..2^32-1, in row-major order. */
  public static InferInput uint32(String name, long[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 4);
    for (long v : values) {
      if (v < 0 || v > 0xffffffffL) {
        throw new IllegalArgumentException(
            "tensor '" + Shapes.clip(name) + "': " + v + " is not a UINT32");
      }
      b.putInt((int) v);
    }
    return fixed(name, Datatype.UINT32, shape, b.flip());
  }

  /**
   * UINT64 values in row-major order; a negative Java long stands for its unsigned value ({@code
   * -1L} is 2^64-1, as {@link Long#toUnsignedString} shows it).
   */
  public static InferInput uint64(String name, long[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 8);
    b.asLongBuffer().put(values);
    return fixed(name, Datatype.UINT64, shape, b);
  }

  /** FP16 values converted from floats (round to nearest even) in row-major order. */
  public static InferInput fp16(String name, float[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 2);
    for (float v : values) {
      b.putShort(HalfFloats.toHalf(v));
    }
    return fixed(name, Datatype.FP16, shape, b.flip());
  }

  /** BF16 values converted from floats (round to nearest even) in row-major order. */
  public static InferInput bf16(String name, float[] values, long... shape) {
    Shapes.checkFits(name, values.length, shape);
    ByteBuffer b = allocate(values.length, 2);
    for (float v : values) {
      b.putShort(HalfFloats.toBf16(v));
    }
    return fixed(name, Datatype.BF16, shape, b.flip());
  }

  /**
   * A tensor whose bytes the caller has laid out already: little-endian, row-major, BYTES elements
   * framed with 4-byte lengths. The buffer's remaining bytes are wrapped, not copied (a direct
   * buffer goes straight to the transport), so they must not change until the call has completed.
   * Fixed-size types must fill the shape exactly; BYTES framing is checked by the server.
   */
  public static InferInput raw(String name, Datatype datatype, ByteBuffer data, long... shape) {
    int n = Shapes.elementCount(shape);
    if (datatype != Datatype.BYTES && (long) n * datatype.byteSize() != data.remaining()) {
      throw new IllegalArgumentException(
          "tensor '"
              + Shapes.clip(name)
              + "': "
              + data.remaining()
              + " bytes do not fill shape "
              + Arrays.toString(shape)
              + " of "
              + datatype
              + " ("
              + (long) n * datatype.byteSize()
              + " bytes)");
    }
    return new InferInput(
        name, datatype, shape, UnsafeByteOperations.unsafeWrap(data.slice()), null);
  }

  /**
   * A tensor the server reads from a registered shared-memory region instead of the request.
   *
   * @param region the name the region was registered under
   * @param byteSize the tensor's bytes in the region
   * @param offset where the tensor starts in the region
   */
  public static InferInput sharedMemory(
      String name, Datatype datatype, long[] shape, String region, long byteSize, long offset) {
    Shapes.elementCount(shape);
    return new InferInput(
        name, datatype, shape, null, new SharedMemoryRef(region, byteSize, offset));
  }

  /** The tensor's name, as the model's configuration names it. */
  public String name() {
    return name;
  }

  /** The element type. */
  public Datatype datatype() {
    return datatype;
  }

  /** The shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** The encoded bytes sent as this tensor's raw contents; empty for a shared-memory input. */
  public ByteBuffer data() {
    return data == null ? ByteBuffer.allocate(0) : data.asReadOnlyByteBuffer();
  }

  ByteString rawContents() {
    return data;
  }

  SharedMemoryRef sharedMemoryRef() {
    return sharedMemory;
  }

  private static ByteBuffer allocate(int count, int size) {
    return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static InferInput fixed(String name, Datatype type, long[] shape, ByteBuffer b) {
    b.rewind();
    return new InferInput(name, type, shape, UnsafeByteOperations.unsafeWrap(b), null);
  }

  /** A region, size and offset in shared memory. */
  record SharedMemoryRef(String region, long byteSize, long offset) {
    SharedMemoryRef {
      Objects.requireNonNull(region, "region");
      if (byteSize < 0 || offset < 0) {
        throw new IllegalArgumentException("shared-memory byte size and offset must be >= 0");
      }
    }
  }
}
