package io.tensorgate.server.codec;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    boolean wide = type == DataType.INT64 || type == DataType.UINT64;
    double[] values = new double[wide ? 0 : rowElements];
    // 64-bit integers are ordered and printed from their exact values, as Triton's
    // std::to_string does: a double holds neither 2^53 + 1 nor anything above 2^63 - 1.
    long[] exact = new long[wide ? rowElements : 0];
    Comparator<Integer> descending =
        type == DataType.INT64
            ? (a, b) -> Long.compare(exact[b], exact[a])
            : type == DataType.UINT64
                ? (a, b) -> Long.compareUnsigned(exact[b], exact[a])
                : (a, b) -> Double.compare(values[b], values[a]);
    Integer[] order = new Integer[rowElements];
    for (int r = 0; r < Math.max(1, rows); r++) {
      int base = in.position() + r * rowElements * type.byteSize();
      for (int i = 0; i < rowElements; i++) {
        int at = base + i * type.byteSize();
        if (wide) {
          exact[i] = in.getLong(at);
        } else {
          values[i] = read(in, at, type);
        }
        order[i] = i;
      }
      Arrays.sort(order, descending);
      for (int j = 0; j < k; j++) {
        int idx = order[j];
        String s = format(type, values, exact, idx) + ":" + idx;
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
      case FP32:
        return b.getFloat(at);
      default:
        return b.getDouble(at);
    }
  }

  private static String format(DataType t, double[] values, long[] exact, int i) {
    switch (t) {
      case FP32:
      case FP64:
        return String.format(Locale.ROOT, "%f", values[i]);
      case INT64:
        return Long.toString(exact[i]);
      case UINT64:
        return Long.toUnsignedString(exact[i]);
      default:
        return Long.toString((long) values[i]);
    }
  }
}
