package io.tensorgate.server.codec;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;

/**
 * How many bytes a ModelInferRequest holds once decoded, estimated from the parsed message alone so
 * that a request can be refused before anything is allocated for it. Counts each input's bytes
 * (raw, typed once converted, or its shared-memory slice), and for BYTES a per-element allowance:
 * BYTES stay one buffer of length-prefixed elements up to the backend, but a backend's string
 * tensor keeps an object per element (ONNX Runtime: a 32-byte {@code std::string} in the input
 * tensor and another in the output tensor), and typed {@code bytes_contents} already hold one
 * protobuf ByteString per element.
 *
 * <p>Stateless; one pass over the inputs (and over typed BYTES elements to sum their sizes).
 */
public final class DecodedSize {
  /** Per BYTES element: ONNX Runtime's {@code std::string} in the input and in the output. */
  public static final long BYTES_ELEMENT_BYTES = 64;

  /**
   * Per typed {@code bytes_contents} element: its ByteString (header, hash, array header; about 48
   * bytes on a 64-bit JVM with compressed references, more than its list slot) while the request is
   * in flight, on top of the copy the decoder makes.
   */
  public static final long TYPED_BYTES_ELEMENT_BYTES = 48;

  private DecodedSize() {}

  /**
   * The estimate; an input whose shape has a negative dimension or overflows counts no elements
   * (the decoder refuses it with Triton's message).
   */
  public static long estimate(ModelInferRequest request) {
    long total = 0;
    for (ByteString raw : request.getRawInputContentsList()) {
      total += raw.size();
    }
    for (InferInputTensor in : request.getInputsList()) {
      boolean bytes = "BYTES".equals(in.getDatatype());
      if (in.hasContents()) {
        total = saturatedAdd(total, typedBytes(in.getContents()));
      }
      InferParameter shmSize = in.getParametersMap().get("shared_memory_byte_size");
      if (shmSize != null && shmSize.getInt64Param() > 0) {
        total = saturatedAdd(total, shmSize.getInt64Param());
      }
      if (bytes) {
        long elements = elements(in);
        total = saturatedAdd(total, saturatedMultiply(elements, BYTES_ELEMENT_BYTES));
      }
    }
    return total;
  }

  private static long typedBytes(InferTensorContents c) {
    long total =
        c.getBoolContentsCount()
            + 4L * c.getIntContentsCount()
            + 8L * c.getInt64ContentsCount()
            + 4L * c.getUintContentsCount()
            + 8L * c.getUint64ContentsCount()
            + 4L * c.getFp32ContentsCount()
            + 8L * c.getFp64ContentsCount();
    int strings = c.getBytesContentsCount();
    if (strings > 0) {
      long data = 0;
      for (int i = 0; i < strings; i++) {
        data += c.getBytesContents(i).size();
      }
      // The ByteStrings themselves, and the decoder's framed copy of them.
      total += strings * TYPED_BYTES_ELEMENT_BYTES + data + Integer.BYTES * (long) strings + data;
    }
    return total;
  }

  private static long elements(InferInputTensor in) {
    long elements = 1;
    for (int i = 0; i < in.getShapeCount(); i++) {
      long d = in.getShape(i);
      if (d < 0) {
        return 0;
      }
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        return 0;
      }
    }
    return elements;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static long saturatedMultiply(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
  }
}
