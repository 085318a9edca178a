package io.tensorgate.backend.onnxruntime;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a model's configuration against what its ONNX file declares, with Triton's onnxruntime
 * backend's rules: the configuration names every model input (and only those) and some or all of
 * its outputs with the same datatypes; a batching model's tensors have a variable first dimension;
 * for inputs, every fixed dimension of the file matches the configuration, for outputs every
 * dimension does; a scalar (rank 0) tensor is configured as dims of 1 in a model that does not
 * batch.
 */
final class ConfigCheck {
  private final ModelDefinition definition;
  private final ModelSignature signature;
  private final Path modelFile;

  private ConfigCheck(ModelDefinition definition, ModelSignature signature, Path modelFile) {
    this.definition = definition;
    this.signature = signature;
    this.modelFile = modelFile;
  }

  /**
   * @throws BackendException naming the first tensor whose configuration the file contradicts
   */
  static void check(ModelDefinition definition, ModelSignature signature, Path modelFile)
      throws BackendException {
    new ConfigCheck(definition, signature, modelFile).check();
  }

  private void check() throws BackendException {
    if (definition.inputs().size() != signature.inputs().size()) {
      throw failure(
          "the configuration has "
              + definition.inputs().size()
              + " inputs but the model has "
              + signature.inputs().size()
              + " "
              + names(signature.inputs()));
    }
    for (TensorSpec configured : definition.inputs()) {
      TensorSpec actual = find(signature.inputs(), configured, "input");
      checkDataType(configured, actual, "input");
      if (!feedable(configured.dataType())) {
        throw failure(
            "input '"
                + configured.name()
                + "' is "
                + configured.dataType()
                + ", which ONNX Runtime's Java API cannot create (it has no UINT16, UINT32 or"
                + " UINT64 input tensors; outputs of these types work)");
      }
      checkShape(configured, actual, "input", false);
    }
    for (TensorSpec configured : definition.outputs()) {
      TensorSpec actual = find(signature.outputs(), configured, "output");
      checkDataType(configured, actual, "output");
      checkShape(configured, actual, "output", true);
    }
  }

  private TensorSpec find(List<TensorSpec> declared, TensorSpec configured, String role)
      throws BackendException {
    for (TensorSpec spec : declared) {
      if (spec.name().equals(configured.name())) {
        return spec;
      }
    }
    throw failure(
        "configuration "
            + role
            + " '"
            + configured.name()
            + "' is not an "
            + role
            + " of the model, whose "
            + role
            + "s are "
            + names(declared));
  }

  private void checkDataType(TensorSpec configured, TensorSpec actual, String role)
      throws BackendException {
    if (configured.dataType() != actual.dataType()) {
      throw failure(
          "configuration expects datatype TYPE_"
              + configured.dataType()
              + " for "
              + role
              + " '"
              + configured.name()
              + "', model provides TYPE_"
              + actual.dataType());
    }
  }

  private void checkShape(TensorSpec configured, TensorSpec actual, String role, boolean exact)
      throws BackendException {
    long[] dims = configured.shape();
    long[] modelShape = actual.shape();
    if (modelShape.length == 0) {
      checkScalar(configured, role, dims);
      return;
    }
    if (definition.batching() && modelShape[0] != -1) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': for the model to support batching (max_batch_size > 0) its first dimension"
              + " must be -1, but the model's shape is "
              + Shapes.toString(modelShape));
    }
    long[] full = definition.batching() ? Shapes.prepend(-1, dims) : dims;
    if (!compatible(modelShape, full, exact)) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "': the model's shape "
              + Shapes.toString(modelShape)
              + " does not match the configured shape "
              + Shapes.toString(full)
              + (definition.batching() ? " (dims with the batch dimension in front)" : ""));
    }
  }

  private void checkScalar(TensorSpec configured, String role, long[] dims)
      throws BackendException {
    if (definition.batching()) {
      throw failure(
          role
              + " '"
              + configured.name()
              + "' is a scalar in the model, which cannot take a batch dimension;"
              + " set max_batch_size to 0");
    }
    for (long d : dims) {
      if (d != 1) {
        throw failure(
            role
                + " '"
                + configured.name()
                + "' is a scalar in the model, so its configured dims must all be 1, not "
                + Shapes.toString(dims));
      }
    }
  }

  /** Triton's rule: where {@code exact} is false, a variable model dimension accepts any size. */
  private static boolean compatible(long[] modelShape, long[] full, boolean exact) {
    if (modelShape.length != full.length) {
      return false;
    }
    for (int i = 0; i < full.length; i++) {
      if ((exact || modelShape[i] != -1) && modelShape[i] != full[i]) {
        return false;
      }
    }
    return true;
  }

  private BackendException failure(String what) {
    return new BackendException(
        "unable to load model '" + definition.name() + "' from " + modelFile + ": " + what);
  }

  private static String names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
  }

  private static boolean feedable(DataType dataType) {
    return !dataType.isFixedSize() || OrtTypes.bufferJavaType(dataType) != null;
  }
}
