package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import java.util.function.Supplier;

/** Chooses how BYTES tensors reach ONNX Runtime, once per provider, and says so in the log. */
final class StringTensorCodecs {
  private static final System.Logger LOG = System.getLogger(StringTensorCodecs.class.getName());

  private StringTensorCodecs() {}

  /** {@link #choose(OrtEnvironment, Supplier)} with {@link ByteExactStringTensorCodec#create}. */
  static StringTensorCodec choose(OrtEnvironment environment) {
    return choose(environment, ByteExactStringTensorCodec::create);
  }

  /**
   * The byte-exact codec when {@code byteExact} starts (its library loads and passes its probe
   * here); otherwise Java strings, which refuse elements they would alter, with a warning that says
   * why.
   */
  static StringTensorCodec choose(
      OrtEnvironment environment, Supplier<? extends StringTensorCodec> byteExact) {
    try {
      StringTensorCodec codec = byteExact.get();
      LOG.log(
          System.Logger.Level.INFO,
          "BYTES tensors pass byte for byte through ONNX Runtime's string tensors (C API)");
      return codec;
    } catch (IllegalStateException | LinkageError e) {
      // Concatenated, not a format: the bridge to the server's log reads {0} MessageFormat's way,
      // where an apostrophe starts a quote.
      LOG.log(
          System.Logger.Level.WARNING,
          "BYTES tensors go through ONNX Runtime's Java strings, which refuse NUL bytes, invalid"
              + " UTF-8 and characters outside the Basic Multilingual Plane: the byte-exact path"
              + " is unavailable ("
              + e.getMessage()
              + ")");
      return new JavaStringTensorCodec(environment);
    }
  }
}
