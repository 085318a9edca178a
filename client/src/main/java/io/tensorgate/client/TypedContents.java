package io.tensorgate.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Outputs a server answered in typed {@code contents} instead of raw bytes (KServe v2 servers may;
 * Triton and Tensorgate do not), converted once to the raw layout so every reader works the same.
 */
final class TypedContents {
  private TypedContents() {}

  /** The raw little-endian bytes of a typed output, or {@code null} when it has no contents. */
  static ByteString toRaw(InferOutputTensor tensor, Datatype type) {
    if (!tensor.hasContents() || type == null) {
      return null;
    }
    InferTensorContents c = tensor.getContents();
    if (type == Datatype.BYTES) {
      byte[][] elements = new byte[c.getBytesContentsCount()][];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = c.getBytesContents(i).toByteArray();
      }
      return UnsafeByteOperations.unsafeWrap(BytesFraming.encode(elements));
    }
    int n = count(c, type);
    ByteBuffer b =
        ByteBuffer.allocate(Math.multiplyExact(n, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8, UINT8 -> b.put((byte) intAt(c, type, i));
        case INT16, UINT16 -> b.putShort((short) intAt(c, type, i));
        case INT32, UINT32 -> b.putInt(intAt(c, type, i));
        case INT64 -> b.putLong(c.getInt64Contents(i));
        case UINT64 -> b.putLong(c.getUint64Contents(i));
        case FP32 -> b.putFloat(c.getFp32Contents(i));
        case FP64 -> b.putDouble(c.getFp64Contents(i));
        default ->
            throw new IllegalStateException(
                "output '"
                    + Shapes.clip(tensor.getName())
                    + "': "
                    + type
                    + " has no typed contents");
      }
    }
    return UnsafeByteOperations.unsafeWrap(b.flip());
  }

  private static int intAt(InferTensorContents c, Datatype type, int i) {
    return signed(type) ? c.getIntContents(i) : c.getUintContents(i);
  }

  private static boolean signed(Datatype type) {
    return type == Datatype.INT8 || type == Datatype.INT16 || type == Datatype.INT32;
  }

  private static int count(InferTensorContents c, Datatype type) {
    List<?> values =
        switch (type) {
          case BOOL -> c.getBoolContentsList();
          case INT8, INT16, INT32 -> c.getIntContentsList();
          case UINT8, UINT16, UINT32 -> c.getUintContentsList();
          case INT64 -> c.getInt64ContentsList();
          case UINT64 -> c.getUint64ContentsList();
          case FP32 -> c.getFp32ContentsList();
          case FP64 -> c.getFp64ContentsList();
          default -> List.of();
        };
    return values.size();
  }
}
