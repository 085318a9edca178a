package io.tensorgate.backend.onnxruntime;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.SignatureCheck;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;

/**
 * Checks a model's configuration against what its ONNX file declares: Triton's shared rules ({@link
 * SignatureCheck}), plus Triton's onnxruntime backend's own: a scalar (rank 0) tensor is configured
 * as dims of 1 in a model that does not batch, and an input's datatype must be one ONNX Runtime's
 * Java API can create.
 */
final class ConfigCheck implements SignatureCheck.Rules {
  private final ModelDefinition definition;
  private final SignatureCheck check;

  private ConfigCheck(ModelDefinition definition, SignatureCheck check) {
    this.definition = definition;
    this.check = check;
  }

  /**
   * @throws BackendException naming the first tensor whose configuration the file contradicts
   */
  static void check(ModelDefinition definition, ModelSignature signature, Path modelFile)
      throws BackendException {
    SignatureCheck check = new SignatureCheck(definition, signature, "model", modelFile);
    check.check(new ConfigCheck(definition, check));
  }

  @Override
  public void tensor(TensorSpec configured, boolean input) throws BackendException {
    if (input && !feedable(configured.dataType())) {
      throw check.failure(
          "input '"
              + configured.name()
              + "' is "
              + configured.dataType()
              + ", which ONNX Runtime's Java API cannot create (it has no UINT16, UINT32 or"
              + " UINT64 input tensors; outputs of these types work)");
    }
  }

  @Override
  public void scalar(TensorSpec configured, boolean input) throws BackendException {
    String role = input ? "input" : "output";
    if (definition.batching()) {
      throw check.failure(
          role
              + " '"
              + configured.name()
              + "' is a scalar in the model, which cannot take a batch dimension;"
              + " set max_batch_size to 0");
    }
    for (int i = 0; i < configured.rank(); i++) {
      if (configured.dim(i) != 1) {
        throw check.failure(
            role
                + " '"
                + configured.name()
                + "' is a scalar in the model, so its configured dims must all be 1, not "
                + Shapes.toString(configured.shape()));
      }
    }
  }

  private static boolean feedable(DataType dataType) {
    return !dataType.isFixedSize() || OrtTypes.bufferJavaType(dataType) != null;
  }
}
