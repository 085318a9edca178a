package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.DataType;

/**
 * TensorRT's {@code nvinfer1::DataType} codes and their Triton datatypes. Codes, not JavaCPP's
 * enum, so that this mapping loads and is tested without the native libraries.
 */
final class TrtDataTypes {
  static final int FLOAT = 0;
  static final int HALF = 1;
  static final int INT8 = 2;
  static final int INT32 = 3;
  static final int BOOL = 4;
  static final int UINT8 = 5;
  static final int FP8 = 6;
  static final int BF16 = 7;
  static final int INT64 = 8;
  static final int INT4 = 9;
  static final int FP4 = 10;
  static final int E8M0 = 11;

  private static final String[] NAMES = {
    "kFLOAT", "kHALF", "kINT8", "kINT32", "kBOOL", "kUINT8", "kFP8", "kBF16", "kINT64", "kINT4",
    "kFP4", "kE8M0"
  };

  private TrtDataTypes() {}

  /**
   * The Triton datatype of a TensorRT type code, or {@code null} for types Triton has no datatype
   * for (FP8, INT4, FP4, E8M0: sub-byte or scaled formats that only appear inside engines).
   */
  static DataType toDataType(int code) {
    return switch (code) {
      case FLOAT -> DataType.FP32;
      case HALF -> DataType.FP16;
      case INT8 -> DataType.INT8;
      case INT32 -> DataType.INT32;
      case BOOL -> DataType.BOOL;
      case UINT8 -> DataType.UINT8;
      case BF16 -> DataType.BF16;
      case INT64 -> DataType.INT64;
      default -> null;
    };
  }

  /** TensorRT's name for a type code, e.g. {@code kHALF}, for messages. */
  static String name(int code) {
    return code >= 0 && code < NAMES.length ? NAMES[code] : "DataType(" + code + ")";
  }
}
