package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * String tensors through ONNX Runtime's Java API, as {@link String}s: the fallback when the
 * byte-exact path is unavailable. Refuses what modified UTF-8 would alter (see {@link
 * StringTensors}).
 */
final class JavaStringTensorCodec implements StringTensorCodec {
  private final OrtEnvironment environment;

  JavaStringTensorCodec(OrtEnvironment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  public String unsupportedElement(String tensorName, ByteBuffer data) {
    return StringTensors.unsupportedElement(tensorName, data);
  }

  @Override
  public OnnxTensor toOrt(String tensorName, ByteBuffer data, long count, long[] shape)
      throws OrtException, BackendException {
    return OnnxTensor.createTensor(
        environment, StringTensors.decode(tensorName, data, count), shape);
  }

  @Override
  public ByteBuffer fromOrt(String tensorName, OnnxTensor tensor, long count)
      throws OrtException, BackendException {
    return StringTensors.encode(tensorName, tensor.getValue(), count);
  }
}
