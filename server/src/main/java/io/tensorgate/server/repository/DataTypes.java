package io.tensorgate.server.repository;

import io.tensorgate.backend.DataType;

/** Maps between the config's {@code TYPE_*} enum and the wire/backend {@link DataType}. */
public final class DataTypes {
  private DataTypes() {}

  /**
   * The backend type of a config type.
   *
   * @return the type, or {@code null} for TYPE_INVALID / unrecognized values
   */
  public static DataType fromConfig(io.tensorgate.proto.inference.DataType t) {
    switch (t) {
      case TYPE_BOOL:
        return DataType.BOOL;
      case TYPE_UINT8:
        return DataType.UINT8;
      case TYPE_UINT16:
        return DataType.UINT16;
      case TYPE_UINT32:
        return DataType.UINT32;
      case TYPE_UINT64:
        return DataType.UINT64;
      case TYPE_INT8:
        return DataType.INT8;
      case TYPE_INT16:
        return DataType.INT16;
      case TYPE_INT32:
        return DataType.INT32;
      case TYPE_INT64:
        return DataType.INT64;
      case TYPE_FP16:
        return DataType.FP16;
      case TYPE_FP32:
        return DataType.FP32;
      case TYPE_FP64:
        return DataType.FP64;
      case TYPE_STRING:
        return DataType.BYTES;
      case TYPE_BF16:
        return DataType.BF16;
      default:
        return null;
    }
  }

  /** The config type of a backend type. */
  public static io.tensorgate.proto.inference.DataType toConfig(DataType t) {
    switch (t) {
      case BOOL:
        return io.tensorgate.proto.inference.DataType.TYPE_BOOL;
      case UINT8:
        return io.tensorgate.proto.inference.DataType.TYPE_UINT8;
      case UINT16:
        return io.tensorgate.proto.inference.DataType.TYPE_UINT16;
      case UINT32:
        return io.tensorgate.proto.inference.DataType.TYPE_UINT32;
      case UINT64:
        return io.tensorgate.proto.inference.DataType.TYPE_UINT64;
      case INT8:
        return io.tensorgate.proto.inference.DataType.TYPE_INT8;
      case INT16:
        return io.tensorgate.proto.inference.DataType.TYPE_INT16;
      case INT32:
        return io.tensorgate.proto.inference.DataType.TYPE_INT32;
      case INT64:
        return io.tensorgate.proto.inference.DataType.TYPE_INT64;
      case FP16:
        return io.tensorgate.proto.inference.DataType.TYPE_FP16;
      case FP32:
        return io.tensorgate.proto.inference.DataType.TYPE_FP32;
      case FP64:
        return io.tensorgate.proto.inference.DataType.TYPE_FP64;
      case BYTES:
        return io.tensorgate.proto.inference.DataType.TYPE_STRING;
      case BF16:
        return io.tensorgate.proto.inference.DataType.TYPE_BF16;
      default:
        throw new IllegalArgumentException("unmapped type " + t);
    }
  }
}
