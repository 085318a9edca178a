package io.tensorgate.backend.onnxruntime;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * BYTES tensors to and from the {@link String} arrays that ONNX Runtime's Java API takes and gives
 * for its string tensors: the fallback ({@link JavaStringTensorCodec}) where the byte-exact path
 * ({@link ByteExactStringTensorCodec}) is unavailable. Elements in a BYTES buffer are a 4-byte
 * little-endian length followed by that many bytes.
 *
 * <p>ONNX Runtime 1.23's Java API has no byte-array string tensors, and its JNI code converts with
 * {@code GetStringUTFChars} / {@code NewStringUTF}, that is in Java's modified UTF-8. Hence: inputs
 * must be valid UTF-8 (anything else is rejected, not mangled); the model sees U+0000 as the bytes
 * C0 80 and characters outside the Basic Multilingual Plane as six-byte surrogate pairs; output
 * strings that hold invalid UTF-8, a NUL byte or a four-byte UTF-8 sequence come back altered
 * (truncated at the NUL, the rest mis-decoded). Text in the Basic Multilingual Plane without NUL
 * round-trips exactly.
 */
final class StringTensors {
  private StringTensors() {}

  /**
   * Checks that every element of a well-framed BYTES buffer passes through ONNX Runtime's Java API
   * unchanged: valid UTF-8, no NUL byte and no character outside the Basic Multilingual Plane
   * (modified UTF-8 would alter both).
   *
   * @return {@code null} when it does, else why not, naming the element
   */
  static String unsupportedElement(String tensorName, ByteBuffer data) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    for (int i = 0; in.remaining() >= Integer.BYTES; i++) {
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        return null; // framing is the server's check; nothing more to say here
      }
      ByteBuffer element = in.slice().limit(length);
      for (int j = 0; j < length; j++) {
        byte b = element.get(j);
        if (b == 0) {
          return "element "
              + i
              + " of input '"
              + tensorName
              + "' contains a NUL byte, which "
              + "ONNX Runtime's Java API cannot pass to the model unchanged";
        }
        if ((b & 0xF8) == 0xF0) {
          return "element "
              + i
              + " of input '"
              + tensorName
              + "' contains a character outside "
              + "the Basic Multilingual Plane, which ONNX Runtime's Java API cannot pass to the "
              + "model unchanged";
        }
      }
      try {
        decoder.decode(element);
      } catch (CharacterCodingException e) {
        return "element "
            + i
            + " of input '"
            + tensorName
            + "' is not valid UTF-8; ONNX "
            + "Runtime's Java API takes strings, not raw bytes";
      }
      in.position(in.position() + length);
    }
    return null;
  }

  /**
   * Decodes a BYTES input buffer into {@code count} strings.
   *
   * @throws BackendException when the buffer does not hold exactly {@code count} well-formed
   *     elements, or an element is not valid UTF-8
   */
  static String[] decode(String tensorName, ByteBuffer data, long count) throws BackendException {
    if (count > Integer.MAX_VALUE - 8) {
      throw new BackendException("input '" + tensorName + "' has too many elements: " + count);
    }
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    String[] strings = new String[(int) count];
    for (int i = 0; i < strings.length; i++) {
      if (in.remaining() < Integer.BYTES) {
        throw malformed(tensorName, "its buffer ends before element " + i + "'s length");
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw malformed(
            tensorName,
            "element "
                + i
                + " claims "
                + (length & 0xFFFFFFFFL)
                + " bytes but "
                + in.remaining()
                + " are left");
      }
      ByteBuffer element = in.slice().limit(length);
      try {
        strings[i] = decoder.decode(element).toString();
      } catch (CharacterCodingException e) {
        throw new BackendException(
            "element "
                + i
                + " of input '"
                + tensorName
                + "' is not valid UTF-8; ONNX Runtime's Java API takes strings, not raw bytes",
            e);
      }
      in.position(in.position() + length);
    }
    if (in.hasRemaining()) {
      throw malformed(
          tensorName, in.remaining() + " bytes follow its " + strings.length + " elements");
    }
    return strings;
  }

  /**
   * Encodes an ONNX Runtime string tensor's value (a {@link String} for a scalar, else nested
   * {@code String} arrays, row-major) as a BYTES buffer.
   *
   * @throws BackendException when the value does not hold {@code count} strings
   */
  static ByteBuffer encode(String tensorName, Object value, long count) throws BackendException {
    List<String> strings = new ArrayList<>((int) Math.min(count, 1 << 16));
    flatten(value, strings);
    if (strings.size() != count) {
      throw new BackendException(
          "output '"
              + tensorName
              + "' has "
              + strings.size()
              + " strings where its shape needs "
              + count);
    }
    byte[][] encoded = new byte[strings.size()][];
    long size = 0;
    for (int i = 0; i < encoded.length; i++) {
      encoded[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
      size += Integer.BYTES + encoded[i].length;
    }
    if (size > Integer.MAX_VALUE) {
      throw new BackendException(
          "output '" + tensorName + "' needs " + size + " bytes, more than a buffer holds");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] bytes : encoded) {
      out.putInt(bytes.length).put(bytes);
    }
    return out.flip();
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else {
      for (Object element : (Object[]) value) {
        flatten(element, out);
      }
    }
  }

  private static BackendException malformed(String tensorName, String why) {
    return new BackendException("BYTES input '" + tensorName + "' is malformed: " + why);
  }
}
