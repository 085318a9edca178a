package io.tensorgate.server.codec;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.server.repository.ModelIo;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of one request input against the model's signature, with Triton's messages: datatype,
 * shape, and data size for the shape. Messages that Triton prefixes with the request's id get it
 * here, built only when a check fails. Stateless.
 */
final class InputChecks {
  private InputChecks() {}

  /** Triton's {@code [request id: <id>] } prefix. */
  static String prefix(ModelInferRequest req) {
    return "[request id: "
        + (req.getId().isEmpty() ? "<id_unknown>" : Echo.text(req.getId()))
        + "] ";
  }

  static void datatype(ModelInferRequest req, InferInputTensor in, TensorSpec spec, String model)
      throws InferenceException {
    if (!spec.dataType().wireName().equals(in.getDatatype())) {
      throw RequestDecoder.invalid(
          prefix(req)
              + "inference input '"
              + in.getName()
              + "' data-type is '"
              + in.getDatatype()
              + "', but model '"
              + model
              + "' expects '"
              + spec.dataType().wireName()
              + "'");
    }
  }

  static void shape(ModelInferRequest req, String name, long[] shape, TensorSpec spec, ModelIo io)
      throws InferenceException {
    String model = io.modelName();
    int offset = io.batching() ? 1 : 0;
    boolean match = shape.length - offset == spec.rank();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw RequestDecoder.invalid(
            prefix(req)
                + "All input dimensions should be specified for input '"
                + name
                + "' for model '"
                + model
                + "', got "
                + Shapes.toString(shape));
      }
    }
    for (int i = 0; match && i < spec.rank(); i++) {
      long want = spec.dim(i);
      if (want != -1 && want != shape[i + offset]) {
        match = false;
      }
    }
    if (!match) {
      long[] expected = io.batching() ? Shapes.prepend(-1, spec.shape()) : spec.shape();
      String note =
          io.batching()
              ? "NOTE: Setting a non-zero max_batch_size in the model config requires a batch"
                  + " dimension to be prepended to each input shape. If you want to specify the"
                  + " full shape including the batch dim in your input dims config, try setting"
                  + " max_batch_size to zero. See the model configuration docs for more info on"
                  + " max_batch_size."
              : "";
      throw RequestDecoder.invalid(
          prefix(req)
              + "unexpected shape for input '"
              + name
              + "' for model '"
              + model
              + "'. Expected "
              + Shapes.toString(expected)
              + ", got "
              + Shapes.toString(shape)
              + ". "
              + note);
    }
  }

  /** The data's size (fixed-size types) or framing (BYTES) against the shape. */
  static void size(ModelInferRequest req, Tensor t, String model) throws InferenceException {
    DataType type = t.dataType();
    if (!type.isFixedSize()) {
      BytesFraming.validate(req, t, elementCount(req, t.name(), t.shape(), model), model);
      return;
    }
    fixedSize(req, t.name(), type, t.shape(), t.byteSize(), model);
  }

  /** Refuses {@code bytes} of data for a fixed-size tensor of {@code shape}, unless they match. */
  static void fixedSize(
      ModelInferRequest req, String name, DataType type, long[] shape, long bytes, String model)
      throws InferenceException {
    long elements = elementCount(req, name, shape, model);
    long expected;
    try {
      expected = Math.multiplyExact(elements, type.byteSize());
    } catch (ArithmeticException e) {
      throw RequestDecoder.invalid(
          prefix(req)
              + "byte size for tensor '"
              + name
              + "' exceeds maximum size of "
              + Long.MAX_VALUE);
    }
    if (bytes != expected) {
      throw RequestDecoder.invalid(
          prefix(req)
              + "input byte size mismatch for input '"
              + name
              + "' for model '"
              + model
              + "'. Expected "
              + expected
              + ", got "
              + bytes);
    }
  }

  private static long elementCount(ModelInferRequest req, String name, long[] shape, String model)
      throws InferenceException {
    try {
      return Shapes.elementCount(shape);
    } catch (ArithmeticException e) {
      throw RequestDecoder.invalid(
          prefix(req)
              + "unexpected integer overflow while calculating element count for input '"
              + name
              + "' for model '"
              + model
              + "', shape "
              + Shapes.toString(shape));
    }
  }

  static InferenceException countError(ModelInferRequest req, ModelIo io) {
    List<String> got = new ArrayList<>();
    for (InferInputTensor in : req.getInputsList()) {
      got.add("'" + Echo.text(in.getName()) + "'");
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < io.inputCount(); i++) {
      String n = io.input(i).name();
      boolean present = req.getInputsList().stream().anyMatch(in -> in.getName().equals(n));
      if (!io.isOptional(i) && !present) {
        missing.add("'" + n + "'");
      }
    }
    String expected =
        io.inputCount() == io.requiredInputCount()
            ? "expected " + io.inputCount() + " inputs"
            : "expected number of inputs between "
                + io.requiredInputCount()
                + " and "
                + io.inputCount();
    return RequestDecoder.invalid(
        prefix(req)
            + expected
            + " but got "
            + req.getInputsCount()
            + " inputs for model '"
            + io.modelName()
            + "'. Got input(s) "
            + Echo.list(got)
            + ", but missing required input(s) "
            + Echo.list(missing)
            + ". Please provide all required input(s).");
  }
}
