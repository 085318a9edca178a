package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import io.tensorgate.backend.DataType;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an input's {@code data} (a flat or nested JSON array) straight into the little-endian bytes
 * the gRPC request carries as raw contents: no tree, no boxed numbers. Values are checked against
 * the datatype (type of token and range), and the element count against the shape as it is read, so
 * a request whose data is longer than its shape stops at the first extra element. The buffer grows
 * with what the JSON actually holds, never from the declared shape alone.
 */
final class TensorJsonReader {
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final String input;
  private final DataType type;
  private final long expected;
  private final long maxBytes;
  private byte[] buf;
  private int size;
  private long count;

  /**
   * @param expected elements the shape declares, or -1 when the shape cannot be counted
   * @param available bytes of JSON left from the start of the array: bounds the first allocation
   * @param maxBytes the most bytes the input may decode to ({@code --http-max-input-size})
   */
  private TensorJsonReader(
      String input, DataType type, long expected, long available, long maxBytes) {
    this.input = input;
    this.type = type;
    this.expected = expected;
    this.maxBytes = maxBytes;
    // Every element takes at least two characters of JSON ("1,") except the last.
    long fit = available / 2 + 1;
    long elements = expected >= 0 ? Math.min(expected, fit) : fit;
    long bytes = type.isFixedSize() ? elements * type.byteSize() : Math.min(available, 1 << 16);
    this.buf = new byte[(int) Math.max(0, Math.min(bytes, Math.min(maxBytes, 1 << 20)))];
  }

  /** What one {@code data} array held. */
  record Data(byte[] bytes, int length, long elements) {}

  /**
   * Reads the array the parser stands on (its current token must be the array's start).
   *
   * @throws HttpFailure 400 with Triton's words for a wrong token, a value out of range or a count
   *     that does not match the shape
   */
  static Data read(
      JsonParser p, String input, DataType type, long expected, long available, long maxBytes)
      throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw HttpFailure.badRequest(
          "Unable to parse 'data': expected an array for input '" + input + "'");
    }
    TensorJsonReader r = new TensorJsonReader(input, type, expected, available, maxBytes);
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw HttpFailure.badRequest(
            "Unable to parse 'data': the array of input '" + input + "' is not closed");
      }
      switch (t) {
        case START_ARRAY:
          depth++;
          break;
        case END_ARRAY:
          depth--;
          break;
        default:
          r.element(p, t);
      }
    }
    if (type.isFixedSize() && expected >= 0 && r.count != expected) {
      throw HttpFailure.badRequest(
          "Failed to parse 'data' field: shape does not match true shape of input '"
              + input
              + "': expected "
              + expected
              + " elements, got "
              + r.count);
    }
    return new Data(r.buf, r.size, r.count);
  }

  private void element(JsonParser p, JsonToken t) throws IOException {
    if (type.isFixedSize() && expected >= 0 && count >= expected) {
      throw HttpFailure.badRequest(
          "Unable to parse 'data': Shape does not match true shape of 'data' field for input '"
              + input
              + "': more than "
              + expected
              + " elements");
    }
    count++;
    switch (type) {
      case BOOL:
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw wrong(t, "a boolean");
        }
        put1(t == JsonToken.VALUE_TRUE ? 1 : 0);
        break;
      case INT8:
        put1((int) integer(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE));
        break;
      case UINT8:
        put1((int) integer(p, t, 0, 0xff));
        break;
      case INT16:
        put2((int) integer(p, t, Short.MIN_VALUE, Short.MAX_VALUE));
        break;
      case UINT16:
        put2((int) integer(p, t, 0, 0xffff));
        break;
      case INT32:
        put4((int) integer(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE));
        break;
      case UINT32:
        put4((int) integer(p, t, 0, 0xffffffffL));
        break;
      case INT64:
        put8(integer(p, t, Long.MIN_VALUE, Long.MAX_VALUE));
        break;
      case UINT64:
        put8(unsigned64(p, t));
        break;
      case FP16:
        put2(Float16.fromFloat((float) real(p, t)));
        break;
      case BF16:
        put2(Float16.bf16FromFloat((float) real(p, t)));
        break;
      case FP32:
        put4(Float.floatToIntBits((float) real(p, t)));
        break;
      case FP64:
        put8(Double.doubleToLongBits(real(p, t)));
        break;
      case BYTES:
        if (t != JsonToken.VALUE_STRING) {
          throw wrong(t, "a string");
        }
        byte[] s = p.getText().getBytes(StandardCharsets.UTF_8);
        put4(s.length);
        ensure(s.length);
        System.arraycopy(s, 0, buf, size, s.length);
        size += s.length;
        break;
      default:
        throw new IllegalStateException("unhandled datatype " + type);
    }
  }

  private long integer(JsonParser p, JsonToken t, long min, long max) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw wrong(t, "an integer");
    }
    long v;
    try {
      v = p.getLongValue();
    } catch (InputCoercionException e) {
      throw outOfRange(p);
    }
    if (v < min || v > max) {
      throw outOfRange(p);
    }
    return v;
  }

  private long unsigned64(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw wrong(t, "an integer");
    }
    if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = p.getLongValue();
      if (v < 0) {
        throw outOfRange(p);
      }
      return v;
    }
    BigInteger v = p.getBigIntegerValue();
    if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
      throw outOfRange(p);
    }
    return v.longValue();
  }

  private double real(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw wrong(t, "a number");
    }
    return p.getDoubleValue();
  }

  private HttpFailure wrong(JsonToken t, String want) {
    return HttpFailure.badRequest(
        "Unable to parse 'data': expected "
            + want
            + " for each element of input '"
            + input
            + "' ("
            + type.wireName()
            + "), got "
            + describe(t));
  }

  private HttpFailure outOfRange(JsonParser p) throws IOException {
    String text = p.getText();
    if (text.length() > 32) {
      text = text.substring(0, 32) + "...";
    }
    return HttpFailure.badRequest(
        "Unable to parse 'data': value "
            + text
            + " is out of range for input '"
            + input
            + "' ("
            + type.wireName()
            + ")");
  }

  static String describe(JsonToken t) {
    switch (t) {
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
        return "an integer";
      case VALUE_NUMBER_FLOAT:
        return "a floating-point number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      case START_OBJECT:
        return "an object";
      default:
        return t.asString() == null ? t.name() : t.asString();
    }
  }

  private void put1(int v) {
    ensure(1);
    buf[size++] = (byte) v;
  }

  private void put2(int v) {
    ensure(2);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
  }

  private void put4(int v) {
    ensure(4);
    buf[size++] = (byte) v;
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 24);
  }

  private void put8(long v) {
    put4((int) v);
    put4((int) (v >>> 32));
  }

  private void ensure(int more) {
    long need = (long) size + more;
    if (need > maxBytes) {
      throw HttpFailure.badRequest(
          "JSON input '"
              + input
              + "' has a byte_size of more than "
              + maxBytes
              + " bytes, which exceeds the maximum allowed value of "
              + maxBytes
              + " bytes. Use --http-max-input-size to increase the limit.");
    }
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, Math.max(need, (long) buf.length * 2)));
    }
  }
}
