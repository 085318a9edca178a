package io.tensorgate.server.codec;

import com.google.protobuf.ByteString;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferTensorContents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts the typed {@code contents} of an input tensor into the little-endian bytes a raw input
 * would carry. Exactly one contents field may be set and it must match the declared datatype, as
 * Triton checks; FP16 and BF16 have no typed field and travel only as raw bytes.
 */
final class TypedContents {
  private TypedContents() {}

  /**
   * @param declared the datatype the request declared for this input
   * @return the bytes, or {@code null} when no contents field holds any element
   */
  static ByteBuffer toBytes(InferTensorContents c, DataType declared, String input, String model)
      throws InferenceException {
    DataType found = null;
    int fields = 0;
    if (c.getBoolContentsCount() > 0) {
      found = DataType.BOOL;
      fields++;
    }
    if (c.getIntContentsCount() > 0) {
      found = pick(declared, DataType.INT32, DataType.INT8, DataType.INT16, DataType.INT32);
      fields++;
    }
    if (c.getInt64ContentsCount() > 0) {
      found = DataType.INT64;
      fields++;
    }
    if (c.getUintContentsCount() > 0) {
      found = pick(declared, DataType.UINT32, DataType.UINT8, DataType.UINT16, DataType.UINT32);
      fields++;
    }
    if (c.getUint64ContentsCount() > 0) {
      found = DataType.UINT64;
      fields++;
    }
    if (c.getFp32ContentsCount() > 0) {
      found = DataType.FP32;
      fields++;
    }
    if (c.getFp64ContentsCount() > 0) {
      found = DataType.FP64;
      fields++;
    }
    if (c.getBytesContentsCount() > 0) {
      found = DataType.BYTES;
      fields++;
    }
    if (fields == 0) {
      return null;
    }
    if (fields > 1) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "unexpected explicit tensor data for input tensor '"
              + input
              + "' for model '"
              + model
              + "', binary data was already supplied.");
    }
    if (found != declared) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "unexpected explicit tensor data for input tensor '"
              + input
              + "' for model '"
              + model
              + "' of type '"
              + found.wireName()
              + "', expected datatype '"
              + declared.wireName()
              + "'");
    }
    return encode(c, declared);
  }

  /** The narrow integer types share one contents field; the declared type says which it is. */
  private static DataType pick(DataType declared, DataType fallback, DataType... shared) {
    for (DataType t : shared) {
      if (t == declared) {
        return t;
      }
    }
    return fallback;
  }

  private static ByteBuffer encode(InferTensorContents c, DataType t) {
    ByteBuffer b;
    switch (t) {
      case BOOL:
        b = allocate(c.getBoolContentsCount());
        for (int i = 0; i < c.getBoolContentsCount(); i++) {
          b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        }
        break;
      case INT8:
        b = allocate(c.getIntContentsCount());
        for (int i = 0; i < c.getIntContentsCount(); i++) {
          b.put((byte) c.getIntContents(i));
        }
        break;
      case INT16:
        b = allocate(2L * c.getIntContentsCount());
        for (int i = 0; i < c.getIntContentsCount(); i++) {
          b.putShort((short) c.getIntContents(i));
        }
        break;
      case INT32:
        b = allocate(4L * c.getIntContentsCount());
        for (int i = 0; i < c.getIntContentsCount(); i++) {
          b.putInt(c.getIntContents(i));
        }
        break;
      case INT64:
        b = allocate(8L * c.getInt64ContentsCount());
        for (int i = 0; i < c.getInt64ContentsCount(); i++) {
          b.putLong(c.getInt64Contents(i));
        }
        break;
      case UINT8:
        b = allocate(c.getUintContentsCount());
        for (int i = 0; i < c.getUintContentsCount(); i++) {
          b.put((byte) c.getUintContents(i));
        }
        break;
      case UINT16:
        b = allocate(2L * c.getUintContentsCount());
        for (int i = 0; i < c.getUintContentsCount(); i++) {
          b.putShort((short) c.getUintContents(i));
        }
        break;
      case UINT32:
        b = allocate(4L * c.getUintContentsCount());
        for (int i = 0; i < c.getUintContentsCount(); i++) {
          b.putInt(c.getUintContents(i));
        }
        break;
      case UINT64:
        b = allocate(8L * c.getUint64ContentsCount());
        for (int i = 0; i < c.getUint64ContentsCount(); i++) {
          b.putLong(c.getUint64Contents(i));
        }
        break;
      case FP32:
        b = allocate(4L * c.getFp32ContentsCount());
        for (int i = 0; i < c.getFp32ContentsCount(); i++) {
          b.putFloat(c.getFp32Contents(i));
        }
        break;
      case FP64:
        b = allocate(8L * c.getFp64ContentsCount());
        for (int i = 0; i < c.getFp64ContentsCount(); i++) {
          b.putDouble(c.getFp64Contents(i));
        }
        break;
      case BYTES:
        long total = 0;
        for (ByteString s : c.getBytesContentsList()) {
          total += 4L + s.size();
        }
        b = allocate(total);
        for (ByteString s : c.getBytesContentsList()) {
          b.putInt(s.size());
          s.copyTo(b);
        }
        break;
      default:
        throw new IllegalStateException("no typed contents for " + t);
    }
    return b.flip();
  }

  private static ByteBuffer allocate(long bytes) {
    // Bounded by the message size, which gRPC already limited.
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
