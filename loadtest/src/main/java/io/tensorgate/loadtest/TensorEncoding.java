package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferTensorContents;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Converts tensor values between JSON lists, raw little-endian bytes (Triton's raw_input_contents)
 * and typed {@link InferTensorContents}, and generates random contents.
 */
final class TensorEncoding {

  /** Length of each random BYTES element, as perf_analyzer's --string-length default does. */
  static final int RANDOM_STRING_LENGTH = 16;

  private TensorEncoding() {}

  /**
   * Encodes a JSON list (nested lists are flattened row-major) as raw little-endian contents. FP16
   * and BF16 have no JSON number form here; give them as {@code {"b64": ...}}.
   */
  static byte[] encode(WireType type, JsonNode values) {
    List<JsonNode> flat = new ArrayList<>();
    flatten(values, flat);
    if (type == WireType.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (JsonNode value : flat) {
        byte[] element = value.asText().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(littleEndian(4).putInt(element.length).array());
        out.writeBytes(element);
      }
      return out.toByteArray();
    }
    if (type == WireType.FP16 || type == WireType.BF16) {
      throw new IllegalArgumentException(type + " values must be given as {\"b64\": ...}");
    }
    ByteBuffer out = littleEndian(flat.size() * type.elementSize());
    for (JsonNode value : flat) {
      switch (type) {
        case BOOL ->
            out.put((byte) (value.isBoolean() ? (value.booleanValue() ? 1 : 0) : value.asInt()));
        case INT8, UINT8 -> out.put((byte) value.asLong());
        case INT16, UINT16 -> out.putShort((short) value.asLong());
        case INT32, UINT32 -> out.putInt((int) value.asLong());
        case INT64 -> out.putLong(value.asLong());
        case UINT64 -> out.putLong(value.bigIntegerValue().longValue());
        case FP32 -> out.putFloat((float) value.asDouble());
        case FP64 -> out.putDouble(value.asDouble());
        default -> throw new IllegalStateException("unhandled " + type);
      }
    }
    return out.array();
  }

  private static void flatten(JsonNode node, List<JsonNode> out) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        flatten(child, out);
      }
    } else {
      out.add(node);
    }
  }

  /** Random contents for {@code count} elements: floats in [0,1), integers in [0,100). */
  static byte[] random(WireType type, long count, SplittableRandom random) {
    int n = Math.toIntExact(count);
    if (type == WireType.BYTES) {
      ByteBuffer out = littleEndian(n * (4 + RANDOM_STRING_LENGTH));
      for (int i = 0; i < n; i++) {
        out.putInt(RANDOM_STRING_LENGTH);
        for (int c = 0; c < RANDOM_STRING_LENGTH; c++) {
          out.put((byte) ('a' + random.nextInt(26)));
        }
      }
      return out.array();
    }
    ByteBuffer out = littleEndian(Math.multiplyExact(n, type.elementSize()));
    for (int i = 0; i < n; i++) {
      switch (type) {
        case BOOL -> out.put((byte) random.nextInt(2));
        case INT8, UINT8 -> out.put((byte) random.nextInt(100));
        case INT16, UINT16 -> out.putShort((short) random.nextInt(100));
        case INT32, UINT32 -> out.putInt(random.nextInt(100));
        case INT64, UINT64 -> out.putLong(random.nextInt(100));
        case FP32 -> out.putFloat((float) random.nextDouble());
        case FP64 -> out.putDouble(random.nextDouble());
        // A positive half with exponent 1..14: a normal value in [2^-14, 1).
        case FP16 ->
            out.putShort((short) ((1 + random.nextInt(14)) << 10 | random.nextInt(1 << 10)));
        case BF16 ->
            out.putShort((short) (Float.floatToIntBits((float) random.nextDouble()) >>> 16));
        default -> throw new IllegalStateException("unhandled " + type);
      }
    }
    return out.array();
  }

  /** Number of BYTES elements in raw contents, or the element count of a fixed-size type. */
  static long elementCount(WireType type, byte[] raw) {
    if (type.isFixedSize()) {
      return raw.length / type.elementSize();
    }
    ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long count = 0;
    while (in.remaining() >= 4) {
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException("malformed BYTES contents");
      }
      in.position(in.position() + length);
      count++;
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("malformed BYTES contents");
    }
    return count;
  }

  /** Typed contents holding the same values as the raw little-endian bytes. */
  static InferTensorContents toTyped(WireType type, ByteString raw) {
    ByteBuffer in = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    InferTensorContents.Builder out = InferTensorContents.newBuilder();
    while (in.hasRemaining()) {
      switch (type) {
        case BOOL -> out.addBoolContents(in.get() != 0);
        case INT8 -> out.addIntContents(in.get());
        case INT16 -> out.addIntContents(in.getShort());
        case INT32 -> out.addIntContents(in.getInt());
        case INT64 -> out.addInt64Contents(in.getLong());
        case UINT8 -> out.addUintContents(Byte.toUnsignedInt(in.get()));
        case UINT16 -> out.addUintContents(Short.toUnsignedInt(in.getShort()));
        case UINT32 -> out.addUintContents(in.getInt());
        case UINT64 -> out.addUint64Contents(in.getLong());
        case FP32 -> out.addFp32Contents(in.getFloat());
        case FP64 -> out.addFp64Contents(in.getDouble());
        case BYTES -> {
          byte[] element = new byte[in.getInt()];
          in.get(element);
          out.addBytesContents(ByteString.copyFrom(element));
        }
        default ->
            throw new IllegalArgumentException(type + " travels only as raw contents in Triton");
      }
    }
    return out.build();
  }

  static ByteBuffer littleEndian(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }
}
