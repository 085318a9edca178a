package io.tensorgate.server.codec;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;

/**
 * Checks the framing of a BYTES tensor: {@code elements} elements, each a 4-byte little-endian
 * length and that many bytes, filling the data exactly. Walks the lengths only, across the segments
 * the bytes arrived in; copies nothing.
 */
final class BytesFraming {
  private final Tensor tensor;
  private ByteBuffer current;
  private int next;
  private long remaining;

  private BytesFraming(Tensor tensor) {
    this.tensor = tensor;
    this.current = tensor.segment(0);
    this.next = 1;
    this.remaining = tensor.byteSize();
  }

  static void validate(ModelInferRequest req, Tensor data, long elements, String model)
      throws InferenceException {
    new BytesFraming(data).validate(req, elements, model);
  }

  private void validate(ModelInferRequest req, long elements, String model)
      throws InferenceException {
    String input = tensor.name();
    long seen = 0;
    while (remaining > 0) {
      if (remaining < 4) {
        throw RequestDecoder.invalid(
            InputChecks.prefix(req)
                + "incomplete string length indicator for inference input '"
                + input
                + "' for model '"
                + model
                + "', expecting 4 bytes but only "
                + remaining
                + " bytes available. Please make sure the string length indicator is in one"
                + " buffer.");
      }
      long len = Integer.toUnsignedLong(lengthIndicator());
      seen++;
      if (seen > elements) {
        throw RequestDecoder.invalid(
            InputChecks.prefix(req)
                + "unexpected number of string elements "
                + seen
                + " for inference input '"
                + input
                + "' for model '"
                + model
                + "', expecting "
                + elements);
      }
      if (len > remaining) {
        throw RequestDecoder.invalid(
            InputChecks.prefix(req)
                + "element "
                + (seen - 1)
                + " of inference input '"
                + input
                + "' for model '"
                + model
                + "' declares "
                + len
                + " bytes but only "
                + remaining
                + " bytes remain");
      }
      skip(len);
    }
    if (seen != elements) {
      throw RequestDecoder.invalid(
          InputChecks.prefix(req)
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

  /** The next 4 bytes as a little-endian int, which may straddle two segments. */
  private int lengthIndicator() {
    if (current.remaining() >= 4) {
      remaining -= 4;
      return current.getInt();
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (nextByte() & 0xff) << (8 * i);
    }
    return value;
  }

  private byte nextByte() {
    while (!current.hasRemaining()) {
      current = tensor.segment(next++);
    }
    remaining--;
    return current.get();
  }

  private void skip(long bytes) {
    long left = bytes;
    remaining -= bytes;
    while (left > 0) {
      while (!current.hasRemaining()) {
        current = tensor.segment(next++);
      }
      int step = (int) Math.min(left, current.remaining());
      current.position(current.position() + step);
      left -= step;
    }
  }
}
