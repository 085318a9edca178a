package io.tensorgate.server.codec;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Triton's {@code classification} output: the top-N elements of each batch row as BYTES strings
 * {@code "value:index"} or {@code "value:index:label"}, values formatted like C++ {@code
 * std::to_string} (six decimals for floating point).
 */
final class Classifier {
  /** Triton refuses to classify rows larger than this. */
  static final int MAX_ELEMENTS = 1_000_000;

  private Classifier() {}

  /**
   * @param data the output of the whole request, {@code rows} rows of equal size
   * @return the BYTES encoding (4-byte length + UTF-8) of {@code rows * min(n, rowElements)}
   *     strings
   */
  static ByteBuffer classify(
      ByteBuffer data, DataType type, int rows, int n, List<String> labels, String output)
      throws InferenceException {
    if (!type.isFixedSize()
        || type == DataType.BOOL
        || type == DataType.FP16
        || type == DataType.BF16) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "class result not available for output '"
              + output
              + "' due to unsupported type '"
              + type.wireName()
              + "'");
    }
    int rowElements = data.remaining() / type.byteSize() / Math.max(1, rows);
    if (rowElements > MAX_ELEMENTS) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT, "classification output tensor too large");
    }
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int k = Math.min(n, rowElements);
    List<byte[]> strings = new ArrayList<>(rows * k);
    int total = 0;
    double[] values = new double[rowElements];
    Integer[] order = new Integer[rowElements];
    for (int r = 0; r < Math.max(1, rows); r++) {
      int base = in.position() + r * rowElements * type.byteSize();
      for (int i = 0; i < rowElements; i++) {
        values[i] = read(in, base + i * type.byteSize(), type);
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
      for (int j = 0; j < k; j++) {
        int idx = order[j];
        String s = format(values[idx], type) + ":" + idx;
        if (labels != null && idx < labels.size()) {
          s += ":" + labels.get(idx);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        strings.add(b);
        total += 4 + b.length;
      }
    }
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] b : strings) {
      out.putInt(b.length).put(b);
    }
    return out.flip();
  }

  /** The number of classes each row returns. */
  static int classesPerRow(ByteBuffer data, DataType type, int rows, int n) {
    return Math.min(n, data.remaining() / type.byteSize() / Math.max(1, rows));
  }

  private static double read(ByteBuffer b, int at, DataType t) {
    switch (t) {
      case UINT8:
        return Byte.toUnsignedInt(b.get(at));
      case INT8:
        return b.get(at);
      case UINT16:
        return Short.toUnsignedInt(b.getShort(at));
      case INT16:
        return b.getShort(at);
      case UINT32:
        return Integer.toUnsignedLong(b.getInt(at));
      case INT32:
        return b.getInt(at);
      case UINT64:
        long u = b.getLong(at);
        return u >= 0 ? u : (double) (u >>> 1) * 2.0;
      case INT64:
        return b.getLong(at);
      case FP32:
        return b.getFloat(at);
      default:
        return b.getDouble(at);
    }
  }

  private static String format(double v, DataType t) {
    if (t == DataType.FP32 || t == DataType.FP64) {
      return String.format(Locale.ROOT, "%f", v);
    }
    return Long.toString((long) v);
  }
}
