package io.tensorgate.server.observe;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads a tensor's elements for side paths (drift, payload logs, traces): numbers as doubles, BYTES
 * elements as text. Reads at most the elements asked for, so the cost is bounded whatever the
 * tensor's size. Absolute reads on a duplicate: the tensor's buffer is never moved.
 */
public final class TensorValues {
  private TensorValues() {}

  /** Whether the type's elements are whole numbers (BOOL counts as 0/1). */
  public static boolean isInteger(DataType t) {
    switch (t) {
      case FP16:
      case FP32:
      case FP64:
      case BF16:
      case BYTES:
        return false;
      default:
        return true;
    }
  }

  /**
   * The first elements of a fixed-size tensor as doubles.
   *
   * @param max at most this many
   */
  public static double[] numbers(Tensor t, int max) {
    DataType type = t.dataType();
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException(t.name() + " is not a numeric tensor");
    }
    ByteBuffer b = t.data();
    int n = Math.min(max, b.remaining() / type.byteSize());
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = number(b, type, i);
    }
    return out;
  }

  /** Element {@code i} of a little-endian buffer of fixed-size elements, as a double. */
  public static double number(ByteBuffer b, DataType type, int i) {
    int at = i * type.byteSize();
    switch (type) {
      case BOOL:
        return b.get(at) != 0 ? 1 : 0;
      case UINT8:
        return b.get(at) & 0xff;
      case INT8:
        return b.get(at);
      case UINT16:
        return b.getShort(at) & 0xffff;
      case INT16:
        return b.getShort(at);
      case UINT32:
        return b.getInt(at) & 0xffffffffL;
      case INT32:
        return b.getInt(at);
      case UINT64:
        long u = b.getLong(at);
        return u >= 0 ? u : (double) (u >>> 1) * 2.0;
      case INT64:
        return b.getLong(at);
      case FP16:
        return halfToFloat(b.getShort(at));
      case BF16:
        return Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
      case FP32:
        return b.getFloat(at);
      case FP64:
        return b.getDouble(at);
      default:
        throw new IllegalArgumentException("not a numeric type: " + type);
    }
  }

  /**
   * The first elements of a BYTES tensor as text (UTF-8, invalid bytes replaced).
   *
   * @param max at most this many elements
   * @param maxChars each element cut to this many characters
   */
  public static String[] strings(Tensor t, int max, int maxChars) {
    if (t.dataType() != DataType.BYTES) {
      throw new IllegalArgumentException(t.name() + " is not a BYTES tensor");
    }
    ByteBuffer b = t.data().order(ByteOrder.LITTLE_ENDIAN);
    String[] out = new String[max];
    int n = 0;
    int pos = 0;
    while (n < max && pos + 4 <= b.limit()) {
      int len = b.getInt(pos);
      pos += 4;
      if (len < 0 || pos + len > b.limit()) {
        break;
      }
      int take = Math.min(len, maxChars * 4);
      byte[] bytes = new byte[take];
      b.get(pos, bytes);
      String s = new String(bytes, StandardCharsets.UTF_8);
      out[n++] = s.length() > maxChars ? s.substring(0, maxChars) : s;
      pos += len;
    }
    return n == max ? out : java.util.Arrays.copyOf(out, n);
  }

  /** A short text form of the first elements, e.g. {@code [1.0, 2.5, ...]}, for traces. */
  public static String text(Tensor t, int max) {
    StringBuilder sb = new StringBuilder("[");
    long total = t.elementCount();
    if (t.dataType() == DataType.BYTES) {
      String[] s = strings(t, max, 64);
      for (int i = 0; i < s.length; i++) {
        sb.append(i == 0 ? "" : ", ").append('"').append(s[i]).append('"');
      }
    } else {
      boolean integer = isInteger(t.dataType());
      double[] v = numbers(t, max);
      for (int i = 0; i < v.length; i++) {
        sb.append(i == 0 ? "" : ", ");
        if (integer) {
          sb.append((long) v[i]);
        } else {
          sb.append(v[i]);
        }
      }
    }
    if (total > max) {
      sb.append(", ...");
    }
    return sb.append(']').toString();
  }

  /** IEEE 754 half precision to float (Float.float16ToFloat needs Java 20). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant / 1024f / 16384f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
