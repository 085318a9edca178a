package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.backend.DataType;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import io.tensorgate.server.observe.TensorValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes an output's little-endian tensor bytes as a JSON {@code data} array, element by element
 * straight from the buffer: booleans, integers (unsigned ones without sign), floating point (NaN
 * and infinities as Triton writes them), BYTES elements as strings. A BYTES element that is not
 * valid UTF-8 cannot be a JSON string; such an output must be asked for as binary data.
 */
final class TensorJsonWriter {
  private TensorJsonWriter() {}

  /**
   * @param elements the element count the output's shape gives
   * @throws HttpFailure when the bytes do not hold that many elements, or BYTES are not UTF-8
   */
  static void write(JsonGenerator g, String output, DataType type, ByteBuffer data, long elements)
      throws IOException {
    ByteBuffer b = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (type.isFixedSize() && (long) b.remaining() != elements * type.byteSize()) {
      throw mismatch(output);
    }
    g.writeStartArray();
    if (type == DataType.BYTES) {
      strings(g, output, b, elements);
    } else {
      for (int i = 0; i < elements; i++) {
        int at = i * type.byteSize();
        switch (type) {
          case BOOL:
            g.writeBoolean(b.get(at) != 0);
            break;
          case UINT8:
            g.writeNumber(b.get(at) & 0xff);
            break;
          case INT8:
            g.writeNumber(b.get(at));
            break;
          case UINT16:
            g.writeNumber(b.getShort(at) & 0xffff);
            break;
          case INT16:
            g.writeNumber(b.getShort(at));
            break;
          case UINT32:
            g.writeNumber(b.getInt(at) & 0xffffffffL);
            break;
          case INT32:
            g.writeNumber(b.getInt(at));
            break;
          case UINT64:
            long u = b.getLong(at);
            if (u >= 0) {
              g.writeNumber(u);
            } else {
              g.writeNumber(Long.toUnsignedString(u));
            }
            break;
          case INT64:
            g.writeNumber(b.getLong(at));
            break;
          case FP32:
            g.writeNumber(b.getFloat(at));
            break;
          case FP64:
            g.writeNumber(b.getDouble(at));
            break;
          case FP16:
          case BF16:
            g.writeNumber((float) TensorValues.number(b, type, i));
            break;
          default:
            throw new IllegalStateException("unhandled datatype " + type);
        }
      }
    }
    g.writeEndArray();
  }

  private static void strings(JsonGenerator g, String output, ByteBuffer b, long elements)
      throws IOException {
    byte[] bytes;
    int pos;
    int end;
    if (b.hasArray()) {
      bytes = b.array();
      pos = b.arrayOffset() + b.position();
      end = b.arrayOffset() + b.limit();
    } else {
      bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      pos = 0;
      end = bytes.length;
    }
    for (long i = 0; i < elements; i++) {
      if (end - pos < 4) {
        throw mismatch(output);
      }
      int len =
          (bytes[pos] & 0xff)
              | (bytes[pos + 1] & 0xff) << 8
              | (bytes[pos + 2] & 0xff) << 16
              | (bytes[pos + 3] & 0xff) << 24;
      pos += 4;
      if (len < 0 || len > end - pos) {
        throw mismatch(output);
      }
      if (!Utf8.isValid(bytes, pos, len)) {
        throw HttpFailure.badRequest(
            "output '"
                + output
                + "' holds bytes that are not valid UTF-8, which JSON cannot carry; ask for it as"
                + " binary data ('binary_data': true)");
      }
      g.writeUTF8String(bytes, pos, len);
      pos += len;
    }
  }

  private static HttpFailure mismatch(String output) {
    return new HttpFailure(
        HttpResponseStatus.INTERNAL_SERVER_ERROR,
        "Failed to write 'data' field: output tensor shape does not match size of output for '"
            + output
            + "'");
  }
}
