package io.tensorgate.backend;

/**
 * Tensor element types, named as on the KServe v2 / Triton wire ("FP32", "BYTES", ...).
 *
 * <p>{@link #BYTES} elements have no fixed size: in a tensor buffer each element is a 4-byte
 * little-endian length followed by that many bytes.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BYTES(0),
  BF16(2);

  // values() clones its array on every call; the decoder looks types up per tensor.
  private static final DataType[] VALUES = values();

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** The datatype string used on the wire, e.g. {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /** Bytes per element; 0 for {@link #BYTES}, whose elements vary in size. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether every element has the same size ({@code false} only for {@link #BYTES}). */
  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /**
   * Looks up a wire datatype name.
   *
   * @return the type, or {@code null} when the name is not a datatype
   */
  public static DataType fromWireName(String wireName) {
    for (DataType t : VALUES) {
      if (t.name().equals(wireName)) {
        return t;
      }
    }
    return null;
  }
}
