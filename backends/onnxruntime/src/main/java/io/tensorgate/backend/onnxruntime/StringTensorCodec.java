package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;

/**
 * How BYTES tensors become ONNX Runtime string tensors and back. BYTES buffers hold elements as a
 * 4-byte little-endian length followed by that many bytes.
 *
 * <p>Threading: implementations are immutable and thread-safe; instances call them on their worker
 * threads, {@link #unsupportedElement} comes from request threads.
 */
interface StringTensorCodec {
  /**
   * Why an input's elements would not reach the model unchanged, naming the first such element;
   * {@code null} when they would. Called before a request is queued.
   */
  String unsupportedElement(String tensorName, ByteBuffer data);

  /**
   * Creates the string tensor for {@code count} elements. The caller owns and closes it.
   *
   * @param data the elements, from position 0 to the limit; a direct buffer
   * @throws BackendException when the buffer does not hold exactly {@code count} well-framed
   *     elements, or holds an element this codec cannot pass
   */
  OnnxTensor toOrt(String tensorName, ByteBuffer data, long count, long[] shape)
      throws OrtException, BackendException;

  /**
   * The elements of an output string tensor as a new BYTES buffer that belongs to the caller.
   *
   * @throws BackendException when the tensor does not hold {@code count} strings or they do not fit
   *     one buffer
   */
  ByteBuffer fromOrt(String tensorName, OnnxTensor tensor, long count)
      throws OrtException, BackendException;
}
