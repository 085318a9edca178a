package io.tensorgate.client;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One output tensor of an answer, read as the Java type that fits its datatype. {@link #buffer()}
 * is a view of the received bytes (no copy); the {@code as...} methods copy them into a new array
 * on each call. Each {@code as...} method accepts the datatypes it can represent exactly and throws
 * {@link IllegalStateException} for the others. Immutable and thread-safe.
 */
public final class InferOutput {
  private final String name;
  private final String datatype;
  private final long[] shape;
  private final ByteString data;
  private final Map<String, InferParameter> parameters;
  private final boolean sharedMemory;

  InferOutput(InferOutputTensor tensor, ByteString raw, boolean requestedInSharedMemory) {
    this.name = tensor.getName();
    this.datatype = tensor.getDatatype();
    this.shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
    this.parameters = tensor.getParametersMap();
    this.sharedMemory = requestedInSharedMemory || parameters.containsKey("shared_memory_region");
    this.data = raw != null ? raw : TypedContents.toRaw(tensor, datatypeOrNull());
  }

  /** The output's name. */
  public String name() {
    return name;
  }

  /**
   * The element type.
   *
   * @throws IllegalStateException when the server sent a datatype the protocol does not define
   */
  public Datatype datatype() {
    Datatype d = datatypeOrNull();
    if (d == null) {
      throw new IllegalStateException(
          "output '"
              + Shapes.clip(name)
              + "' has unknown datatype '"
              + Shapes.clip(datatype)
              + "'");
    }
    return d;
  }

  /** The shape (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** The number of elements the shape holds. */
  public int elementCount() {
    return Shapes.elementCount(shape);
  }

  /** The output's parameters as the server sent them. */
  public Map<String, InferParameter> parameters() {
    return parameters;
  }

  /** Whether the data was written into a shared-memory region instead of the answer. */
  public boolean inSharedMemory() {
    return sharedMemory;
  }

  /**
   * The raw bytes, little-endian and row-major (BYTES elements framed with 4-byte lengths): a
   * read-only view of the received message, not a copy.
   */
  public ByteBuffer buffer() {
    if (data == null || inSharedMemory()) {
      throw new IllegalStateException(
          "output '"
              + Shapes.clip(name)
              + "' has no data in the answer"
              + (inSharedMemory() ? " (it was written to shared memory)" : ""));
    }
    return data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** FP32 values; FP16 and BF16 are widened to float exactly. */
  public float[] asFloats() {
    Datatype d = datatype();
    ByteBuffer b = fixed(d, Datatype.FP32, Datatype.FP16, Datatype.BF16);
    float[] out = new float[elementCount()];
    switch (d) {
      case FP32 -> b.asFloatBuffer().get(out);
      case FP16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfFloats.fromHalf(b.getShort());
        }
      }
      default -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfFloats.fromBf16(b.getShort());
        }
      }
    }
    return out;
  }

  /**
   * The rows of a two-dimensional floating-point output, e.g. {@code [batch, classes]}.
   *
   * @throws IllegalStateException when the output is not two-dimensional
   */
  public float[][] asFloatRows() {
    if (shape.length != 2) {
      throw new IllegalStateException(
          "output '" + Shapes.clip(name) + "' has shape " + Arrays.toString(shape) + ", not 2-D");
    }
    float[] flat = asFloats();
    int cols = (int) shape[1];
    float[][] rows = new float[(int) shape[0]][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
    }
    return rows;
  }

  /** FP64 values; FP32, FP16 and BF16 are widened exactly. */
  public double[] asDoubles() {
    if (datatype() != Datatype.FP64) {
      float[] f = asFloats();
      double[] out = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
      return out;
    }
    double[] out = new double[elementCount()];
    fixed(Datatype.FP64, Datatype.FP64).asDoubleBuffer().get(out);
    return out;
  }

  /** Integer values of INT8, INT16, INT32, UINT8 or UINT16 (unsigned types read as unsigned). */
  public int[] asInts() {
    Datatype d = datatype();
    ByteBuffer b =
        fixed(d, Datatype.INT8, Datatype.INT16, Datatype.INT32, Datatype.UINT8, Datatype.UINT16);
    int[] out = new int[elementCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          switch (d) {
            case INT8 -> b.get();
            case UINT8 -> b.get() & 0xff;
            case INT16 -> b.getShort();
            case UINT16 -> b.getShort() & 0xffff;
            default -> b.getInt();
          };
    }
    return out;
  }

  /**
   * Integer values of any integer datatype, widened to long; UINT32 is read as unsigned, and UINT64
   * values above {@code Long.MAX_VALUE} come back negative (their bits; see {@link
   * Long#toUnsignedString}).
   */
  public long[] asLongs() {
    Datatype d = datatype();
    if (d == Datatype.INT64 || d == Datatype.UINT64 || d == Datatype.UINT32) {
      ByteBuffer b = fixed(d, Datatype.INT64, Datatype.UINT64, Datatype.UINT32);
      long[] out = new long[elementCount()];
      if (d == Datatype.UINT32) {
        for (int i = 0; i < out.length; i++) {
          out[i] = b.getInt() & 0xffffffffL;
        }
      } else {
        b.asLongBuffer().get(out);
      }
      return out;
    }
    int[] ints = asInts();
    long[] out = new long[ints.length];
    for (int i = 0; i < ints.length; i++) {
      out[i] = ints[i];
    }
    return out;
  }

  /** BOOL values. */
  public boolean[] asBooleans() {
    ByteBuffer b = fixed(datatype(), Datatype.BOOL);
    boolean[] out = new boolean[elementCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get() != 0;
    }
    return out;
  }

  /** BYTES elements, each exactly as the server sent it. */
  public byte[][] asBytes() {
    if (datatype() != Datatype.BYTES) {
      throw wrongType("BYTES");
    }
    return BytesFraming.decode(buffer(), elementCount(), name);
  }

  /** BYTES elements decoded as UTF-8 (malformed sequences become U+FFFD). */
  public String[] asStrings() {
    byte[][] bytes = asBytes();
    String[] out = new String[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = new String(bytes[i], StandardCharsets.UTF_8);
    }
    return out;
  }

  /**
   * The classes of an output asked for with {@link RequestedOutput#classification}, row after row
   * (for a batch of B rows and N classes: B * N entries, each row best first).
   */
  public List<Classification> asClassifications() {
    String[] items = asStrings();
    List<Classification> out = new ArrayList<>(items.length);
    for (String s : items) {
      out.add(Classification.parse(s));
    }
    return out;
  }

  private Datatype datatypeOrNull() {
    for (Datatype d : Datatype.values()) {
      if (d.name().equals(datatype)) {
        return d;
      }
    }
    return null;
  }

  private ByteBuffer fixed(Datatype actual, Datatype... accepted) {
    if (!Arrays.asList(accepted).contains(actual)) {
      throw wrongType(Arrays.toString(accepted));
    }
    ByteBuffer b = buffer();
    long expected = (long) elementCount() * actual.byteSize();
    if (b.remaining() != expected) {
      throw new IllegalStateException(
          "output '"
              + Shapes.clip(name)
              + "' has "
              + b.remaining()
              + " bytes for shape "
              + Arrays.toString(shape)
              + " of "
              + actual
              + " ("
              + expected
              + " expected)");
    }
    return b;
  }

  private IllegalStateException wrongType(String wanted) {
    return new IllegalStateException(
        "output '"
            + Shapes.clip(name)
            + "' is "
            + Shapes.clip(datatype)
            + ", which does not read as "
            + wanted);
  }
}
