package io.tensorgate.server.codec;

import io.tensorgate.backend.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checks the framing of a BYTES tensor: {@code elements} elements, each a 4-byte little-endian
 * length and that many bytes, filling the buffer exactly. Walks the lengths only; copies nothing.
 */
final class BytesFraming {
  private BytesFraming() {}

  static void validate(ByteBuffer data, long elements, String input, String model, String prefix)
      throws InferenceException {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long seen = 0;
    while (b.hasRemaining()) {
      if (b.remaining() < 4) {
        throw RequestDecoder.invalid(
            prefix
                + "incomplete string length indicator for inference input '"
                + input
                + "' for model '"
                + model
                + "', expecting 4 bytes but only "
                + b.remaining()
                + " bytes available. Please make sure the string length indicator is in one"
                + " buffer.");
      }
      long len = Integer.toUnsignedLong(b.getInt());
      seen++;
      if (seen > elements) {
        throw RequestDecoder.invalid(
            prefix
                + "unexpected number of string elements "
                + seen
                + " for inference input '"
                + input
                + "' for model '"
                + model
                + "', expecting "
                + elements);
      }
      if (len > b.remaining()) {
        throw RequestDecoder.invalid(
            prefix
                + "element "
                + (seen - 1)
                + " of inference input '"
                + input
                + "' for model '"
                + model
                + "' declares "
                + len
                + " bytes but only "
                + b.remaining()
                + " bytes remain");
      }
      b.position(b.position() + (int) len);
    }
    if (seen != elements) {
      throw RequestDecoder.invalid(
          prefix
              + "expected "
              + elements
              + " string elements for inference input '"
              + input
              + "' for model '"
              + model
              + "', got "
              + seen);
    }
  }
}
