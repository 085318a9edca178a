package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.TensorInfo;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The three package-private members of ONNX Runtime's Java API that byte-exact string tensors need:
 * a tensor's {@code OrtValue} address, and the constructors that wrap an {@code OrtValue} made
 * through the C API as an {@link OnnxTensor} (which then owns and releases it). They have been
 * stable since the Java API's first releases; {@link #find} fails, and the backend falls back to
 * Java strings, if a release renames them. Immutable and thread-safe.
 */
final class OrtInternals {
  private final MethodHandle nativeHandle;
  private final MethodHandle newTensor;
  private final MethodHandle newInfo;

  private OrtInternals(MethodHandle nativeHandle, MethodHandle newTensor, MethodHandle newInfo) {
    this.nativeHandle = nativeHandle;
    this.newTensor = newTensor;
    this.newInfo = newInfo;
  }

  /**
   * @throws ReflectiveOperationException when a member is missing or not accessible (for example
   *     when ONNX Runtime's jar is a named module that does not open its package)
   */
  static OrtInternals find() throws ReflectiveOperationException {
    MethodHandles.Lookup ort =
        MethodHandles.privateLookupIn(OnnxTensorLike.class, MethodHandles.lookup());
    return new OrtInternals(
        ort.findGetter(OnnxTensorLike.class, "nativeHandle", long.class),
        ort.findConstructor(
            OnnxTensor.class,
            MethodType.methodType(void.class, long.class, long.class, TensorInfo.class)),
        ort.findConstructor(
            TensorInfo.class,
            MethodType.methodType(
                void.class, long[].class, OnnxJavaType.class, TensorInfo.OnnxTensorType.class)));
  }

  /** The address of the {@code OrtValue} behind {@code tensor}. */
  long handle(OnnxTensorLike tensor) {
    try {
      return (long) nativeHandle.invoke(tensor);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot read an ONNX Runtime tensor's handle", t);
    }
  }

  /**
   * Wraps a string tensor {@code OrtValue}; the returned tensor owns it and releases it on close.
   */
  OnnxTensor wrapStringTensor(long value, long allocator, long[] shape) {
    try {
      TensorInfo info =
          (TensorInfo)
              newInfo.invoke(
                  shape.clone(),
                  OnnxJavaType.STRING,
                  TensorInfo.OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);
      return (OnnxTensor) newTensor.invoke(value, allocator, info);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot wrap a string tensor for ONNX Runtime", t);
    }
  }
}
