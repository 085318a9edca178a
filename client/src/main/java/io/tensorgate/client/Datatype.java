package io.tensorgate.client;

/**
 * The tensor element types of the Triton / KServe v2 protocol, with their wire names ({@code
 * "FP32"}, {@code "BYTES"}, ...) and element sizes. Fixed-size types travel little-endian; BYTES
 * elements are each a 4-byte little-endian length followed by that many bytes.
 */
public enum Datatype {
  /** One byte per element, 0 or 1. */
  BOOL(1),
  /** Unsigned 8-bit integer. */
  UINT8(1),
  /** Unsigned 16-bit integer. */
  UINT16(2),
  /** Unsigned 32-bit integer. */
  UINT32(4),
  /** Unsigned 64-bit integer. */
  UINT64(8),
  /** Signed 8-bit integer. */
  INT8(1),
  /** Signed 16-bit integer. */
  INT16(2),
  /** Signed 32-bit integer. */
  INT32(4),
  /** Signed 64-bit integer. */
  INT64(8),
  /** IEEE 754 half precision. */
  FP16(2),
  /** IEEE 754 single precision. */
  FP32(4),
  /** IEEE 754 double precision. */
  FP64(8),
  /** Variable-length byte strings (Triton's TYPE_STRING). */
  BYTES(0),
  /** bfloat16: the upper half of an FP32. */
  BF16(2);

  private final int byteSize;

  Datatype(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element; 0 for {@link #BYTES}, whose elements vary in length. */
  public int byteSize() {
    return byteSize;
  }

  /** The name on the wire, as in a tensor's {@code datatype} field. */
  public String wireName() {
    return name();
  }

  /**
   * The datatype with this wire name.
   *
   * @throws IllegalArgumentException when the name is not one of the protocol's datatypes
   */
  public static Datatype fromWireName(String name) {
    for (Datatype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown datatype '" + Shapes.clip(name) + "'");
  }
}
