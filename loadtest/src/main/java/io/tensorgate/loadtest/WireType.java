package io.tensorgate.loadtest;

import java.util.Locale;

/**
 * A Triton wire datatype ({@code "INT32"}, {@code "FP32"}, ...) and the size of one element in raw
 * contents. The load test keeps its own small table instead of the backend SPI's {@code DataType},
 * since this module depends on the protocol only.
 */
enum WireType {
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
  BF16(2),
  FP32(4),
  FP64(8),
  /** Variable size: each element is a 4-byte little-endian length followed by its bytes. */
  BYTES(-1);

  private final int elementSize;

  WireType(int elementSize) {
    this.elementSize = elementSize;
  }

  /** Bytes per element, or -1 for {@link #BYTES}. */
  int elementSize() {
    return elementSize;
  }

  boolean isFixedSize() {
    return elementSize > 0;
  }

  /** Parses a wire name such as {@code "INT32"}; also accepts config names such as TYPE_INT32. */
  static WireType fromName(String name) {
    String upper = name.trim().toUpperCase(Locale.ROOT);
    if (upper.startsWith("TYPE_")) {
      upper = upper.substring("TYPE_".length());
    }
    if (upper.equals("STRING")) {
      return BYTES;
    }
    try {
      return valueOf(upper);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown datatype '" + name + "'", e);
    }
  }
}
