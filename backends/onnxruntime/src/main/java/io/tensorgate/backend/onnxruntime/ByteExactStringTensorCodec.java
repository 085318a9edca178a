package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * String tensors byte for byte, through ONNX Runtime's C API (see {@link OrtStringsJni}): any
 * element bytes pass unchanged in both directions, NUL bytes, invalid UTF-8 and four-byte UTF-8
 * sequences included, as Triton passes them.
 *
 * <p>Immutable and thread-safe: it holds the C API table and the default allocator, both valid for
 * the life of the process.
 */
final class ByteExactStringTensorCodec implements StringTensorCodec {
  /** NUL, invalid UTF-8, a four-byte UTF-8 sequence and an empty element. */
  private static final byte[][] PROBE = {
    {'a', 0, 'b'},
    {(byte) 0xFF, (byte) 0xC0},
    {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80},
    {}
  };

  private final long api;
  private final long allocator;
  private final OrtInternals internals;

  private ByteExactStringTensorCodec(long api, long allocator, OrtInternals internals) {
    this.api = api;
    this.allocator = allocator;
    this.internals = internals;
  }

  /**
   * Loads the JNI library, finds the ONNX Runtime the Java API loaded and checks, on a small tensor
   * of awkward elements, that they come back unchanged.
   *
   * @throws IllegalStateException with the reason when any step fails; nothing is left behind
   */
  static ByteExactStringTensorCodec create() {
    OrtStringsJni.load();
    OrtInternals internals;
    try {
      internals = OrtInternals.find();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "ONNX Runtime's Java API does not expose the tensor handles it needs: " + e, e);
    }
    long api = OrtStringsJni.findApi(OrtStringsJni.ONNX_RUNTIME_SONAME);
    ByteExactStringTensorCodec codec =
        new ByteExactStringTensorCodec(api, OrtStringsJni.defaultAllocator(api), internals);
    codec.selfTest();
    return codec;
  }

  private void selfTest() {
    int size = 0;
    for (byte[] element : PROBE) {
      size += Integer.BYTES + element.length;
    }
    ByteBuffer in = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] element : PROBE) {
      in.putInt(element.length).put(element);
    }
    in.flip();
    try (OnnxTensor tensor = toOrt("probe", in, PROBE.length, new long[] {PROBE.length})) {
      ByteBuffer out = fromOrt("probe", tensor, PROBE.length);
      if (!out.equals(in)) {
        throw new IllegalStateException("a probe tensor came back altered");
      }
    } catch (BackendException e) {
      throw new IllegalStateException("a probe tensor failed: " + e.getMessage(), e);
    }
  }

  /** Every element passes unchanged. */
  @Override
  public String unsupportedElement(String tensorName, ByteBuffer data) {
    return null;
  }

  @Override
  public OnnxTensor toOrt(String tensorName, ByteBuffer data, long count, long[] shape)
      throws BackendException {
    Objects.requireNonNull(data, "data");
    if (!data.isDirect()) {
      throw new IllegalArgumentException("input '" + tensorName + "' is not in a direct buffer");
    }
    long value;
    try {
      value =
          OrtStringsJni.createStringTensor(
              api, allocator, data, data.position(), data.remaining(), shape, count);
    } catch (IllegalArgumentException e) {
      throw new BackendException(
          "BYTES input '" + tensorName + "' is malformed: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new BackendException("input '" + tensorName + "': " + e.getMessage(), e);
    }
    try {
      return internals.wrapStringTensor(value, allocator, shape);
    } catch (RuntimeException | Error e) {
      OrtStringsJni.releaseValue(api, value);
      throw e;
    }
  }

  @Override
  public ByteBuffer fromOrt(String tensorName, OnnxTensor tensor, long count)
      throws BackendException {
    long value = internals.handle(tensor);
    try {
      long size =
          Math.addExact(
              Math.multiplyExact((long) Integer.BYTES, count),
              OrtStringsJni.stringDataLength(api, value));
      // Arrays cannot be quite Integer.MAX_VALUE long on every JVM.
      if (size > Integer.MAX_VALUE - 8) {
        throw new BackendException(
            "output '" + tensorName + "' needs " + size + " bytes, more than a buffer holds");
      }
      byte[] out = new byte[(int) size];
      OrtStringsJni.readStringTensor(api, value, count, out);
      return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    } catch (ArithmeticException | IllegalStateException e) {
      throw new BackendException("output '" + tensorName + "': " + e.getMessage(), e);
    }
  }
}
