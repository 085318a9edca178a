package io.tensorgate.server.codec;

import com.google.protobuf.ByteString;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes a ModelInferRequest and validates it against a model version before any backend work:
 * input names and count, datatypes, shapes (variable dimensions and the batch dimension), batch
 * size, data size against the shape (with overflow checks before anything is sized from a shape),
 * BYTES framing, and where the data comes from (raw, typed contents or shared memory). Messages and
 * codes follow Triton's.
 *
 * <p>Stateless and thread-safe; raw input bytes are wrapped, not copied.
 */
public final class RequestDecoder {
  private final SharedMemoryRegistry shm;

  public RequestDecoder(SharedMemoryRegistry shm) {
    this.shm = Objects.requireNonNull(shm, "shm");
  }

  public DecodedRequest decode(ModelInferRequest req, ModelIo io) throws InferenceException {
    String model = io.modelName();
    RequestParameters params = RequestParameters.parse(req.getParametersMap());
    List<String> outputs = new ArrayList<>(0);
    OutputOptions[] options = requestedOutputs(req, io, outputs);
    String prefix =
        "[request id: " + (req.getId().isEmpty() ? "<id_unknown>" : Echo.text(req.getId())) + "] ";

    int count = req.getInputsCount();
    if (count > io.inputCount() || count < io.requiredInputCount()) {
      throw inputCountError(req, io, prefix);
    }
    Tensor[] byIndex = new Tensor[io.inputCount()];
    long batchSize = -1;
    int rawIndex = 0;
    boolean useRaw = req.getRawInputContentsCount() > 0;
    for (InferInputTensor in : req.getInputsList()) {
      int idx = io.inputIndex(in.getName());
      if (idx < 0) {
        throw invalid(
            "unexpected inference input '"
                + Echo.text(in.getName())
                + "' for model '"
                + model
                + "'");
      }
      if (byIndex[idx] != null) {
        throw invalid(prefix + "input '" + in.getName() + "' already exists in request");
      }
      TensorSpec spec = io.input(idx);
      long[] shape = toArray(in.getShapeList());
      if (io.batching()) {
        if (shape.length == 0) {
          throw invalid(
              prefix
                  + "input '"
                  + in.getName()
                  + "' has no shape but model requires batch dimension for '"
                  + model
                  + "'");
        }
        if (batchSize < 0) {
          batchSize = shape[0];
        } else if (shape[0] != batchSize) {
          throw invalid(
              prefix
                  + "input '"
                  + in.getName()
                  + "' batch size does not match other inputs for '"
                  + model
                  + "'");
        }
      }
      checkDatatype(in, spec, model, prefix);
      checkShape(in.getName(), shape, spec, io, model, prefix);

      ByteBuffer data = data(req, in, spec.dataType(), shape, model, prefix, useRaw, rawIndex);
      if (useRaw && !in.getParametersMap().containsKey("shared_memory_region")) {
        rawIndex++;
      }
      checkSize(in.getName(), spec.dataType(), shape, data, model, prefix);
      byIndex[idx] = new Tensor(spec.name(), spec.dataType(), shape, data);
    }
    if (useRaw && rawIndex != req.getRawInputContentsCount()) {
      throw invalid(
          prefix
              + "expected "
              + rawIndex
              + " entries in raw_input_contents for model '"
              + model
              + "', got "
              + req.getRawInputContentsCount());
    }
    if (io.batching()) {
      if (batchSize > io.maxBatchSize()) {
        throw invalid(
            prefix
                + "inference request batch-size must be <= "
                + io.maxBatchSize()
                + " for '"
                + model
                + "'");
      }
      if (batchSize < 1) {
        throw invalid(prefix + "inference request batch-size must be >= 1 for '" + model + "'");
      }
    }
    List<Tensor> inputs = new ArrayList<>(count);
    for (Tensor t : byIndex) {
      if (t != null) {
        inputs.add(t);
      }
    }
    return new DecodedRequest(
        req.getId(),
        inputs,
        outputs.isEmpty() ? io.allOutputNames() : outputs,
        options,
        io.batching() ? (int) batchSize : 1,
        params.priority,
        params.timeoutMicros,
        params.sequence(),
        params.routingKey);
  }

  private OutputOptions[] requestedOutputs(ModelInferRequest req, ModelIo io, List<String> names)
      throws InferenceException {
    if (req.getOutputsCount() == 0) {
      return null;
    }
    boolean[] wanted = new boolean[io.outputCount()];
    OutputOptions[] options = null;
    for (InferRequestedOutputTensor out : req.getOutputsList()) {
      int idx = io.outputIndex(out.getName());
      if (idx < 0) {
        throw invalid(
            "unexpected inference output '"
                + Echo.text(out.getName())
                + "' for model '"
                + io.modelName()
                + "'");
      }
      if (wanted[idx]) {
        // Triton's check; it also bounds the outputs a request can name by the model's own.
        throw invalid("output '" + out.getName() + "' already exists in request");
      }
      wanted[idx] = true;
      OutputOptions o = outputOptions(out);
      if (o != null) {
        if (options == null) {
          options = new OutputOptions[io.outputCount()];
        }
        options[idx] = o;
      }
    }
    for (int i = 0; i < wanted.length; i++) {
      if (wanted[i]) {
        names.add(io.output(i).name());
      }
    }
    return options;
  }

  private OutputOptions outputOptions(InferRequestedOutputTensor out) throws InferenceException {
    Map<String, InferParameter> p = out.getParametersMap();
    if (p.isEmpty()) {
      return null;
    }
    int classification = 0;
    InferParameter c = p.get("classification");
    if (c != null) {
      if (!c.hasInt64Param()) {
        throw invalid("invalid value type for 'classification' parameter, expected int64_param");
      }
      if (c.getInt64Param() <= 0) {
        throw invalid("invalid value for 'classification' parameter, expected >= 0");
      }
      classification = (int) Math.min(c.getInt64Param(), Integer.MAX_VALUE);
    }
    ShmParams s = ShmParams.parse(out.getName(), p);
    if (s != null && classification > 0) {
      throw invalid("output can't set both 'shared_memory_region' and 'classification'");
    }
    if (s != null) {
      // Checked now, so a bad region fails the request before it runs.
      shm.checkRange(s.region(), s.offset(), s.byteSize());
      return new OutputOptions(0, s.region(), s.offset(), s.byteSize());
    }
    return classification > 0 ? new OutputOptions(classification, null, 0, 0) : null;
  }

  private ByteBuffer data(
      ModelInferRequest req,
      InferInputTensor in,
      DataType type,
      long[] shape,
      String model,
      String prefix,
      boolean useRaw,
      int rawIndex)
      throws InferenceException {
    ShmParams s = ShmParams.parse(in.getName(), in.getParametersMap());
    if (s != null) {
      if (in.hasContents()) {
        throw invalid(
            "unexpected 'content' provided when using shared memory for input tensor '"
                + in.getName()
                + "' for model '"
                + model
                + "'");
      }
      shm.checkRange(s.region(), s.offset(), s.byteSize());
      if (type.isFixedSize()) {
        // Before reading: the region's bytes are copied, so a wrong size must cost nothing.
        checkFixedSize(in.getName(), type, shape, s.byteSize(), model, prefix);
      }
      // Read into server memory now: the bytes validated are the bytes executed, and nothing
      // downstream touches memory the client can take away.
      return shm.read(s.region(), s.offset(), s.byteSize());
    }
    if (in.hasContents() && useRaw) {
      throw invalid(
          "contents field must not be specified when using raw_input_contents for '"
              + in.getName()
              + "' for model '"
              + model
              + "'");
    }
    if (in.hasContents()) {
      DataType declared = DataType.fromWireName(in.getDatatype());
      ByteBuffer typed = TypedContents.toBytes(in.getContents(), declared, in.getName(), model);
      if (typed != null) {
        return typed;
      }
    } else if (useRaw && rawIndex < req.getRawInputContentsCount()) {
      ByteString raw = req.getRawInputContents(rawIndex);
      return raw.asReadOnlyByteBuffer();
    }
    throw invalid(
        "unable to find data for input tensor '"
            + in.getName()
            + "' for model '"
            + model
            + "' in request.");
  }

  private static void checkDatatype(
      InferInputTensor in, TensorSpec spec, String model, String prefix) throws InferenceException {
    if (!spec.dataType().wireName().equals(in.getDatatype())) {
      throw invalid(
          prefix
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

  private static void checkShape(
      String name, long[] shape, TensorSpec spec, ModelIo io, String model, String prefix)
      throws InferenceException {
    int offset = io.batching() ? 1 : 0;
    boolean match = shape.length - offset == spec.rank();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw invalid(
            prefix
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
      throw invalid(
          prefix
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

  private static void checkSize(
      String name, DataType type, long[] shape, ByteBuffer data, String model, String prefix)
      throws InferenceException {
    if (type.isFixedSize()) {
      checkFixedSize(name, type, shape, data.remaining(), model, prefix);
      return;
    }
    BytesFraming.validate(data, elementCount(name, shape, model, prefix), name, model, prefix);
  }

  private static long elementCount(String name, long[] shape, String model, String prefix)
      throws InferenceException {
    try {
      return Shapes.elementCount(shape);
    } catch (ArithmeticException e) {
      throw invalid(
          prefix
              + "unexpected integer overflow while calculating element count for input '"
              + name
              + "' for model '"
              + model
              + "', shape "
              + Shapes.toString(shape));
    }
  }

  /** Refuses {@code bytes} of data for a fixed-size tensor of {@code shape}, unless they match. */
  private static void checkFixedSize(
      String name, DataType type, long[] shape, long bytes, String model, String prefix)
      throws InferenceException {
    long elements = elementCount(name, shape, model, prefix);
    long expected;
    try {
      expected = Math.multiplyExact(elements, type.byteSize());
    } catch (ArithmeticException e) {
      throw invalid(
          prefix + "byte size for tensor '" + name + "' exceeds maximum size of " + Long.MAX_VALUE);
    }
    if (bytes != expected) {
      throw invalid(
          prefix
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

  private static InferenceException inputCountError(
      ModelInferRequest req, ModelIo io, String prefix) {
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
    String gotList = Echo.list(got);
    String missingList = Echo.list(missing);
    String expected =
        io.inputCount() == io.requiredInputCount()
            ? "expected " + io.inputCount() + " inputs"
            : "expected number of inputs between "
                + io.requiredInputCount()
                + " and "
                + io.inputCount();
    return invalid(
        prefix
            + expected
            + " but got "
            + req.getInputsCount()
            + " inputs for model '"
            + io.modelName()
            + "'. Got input(s) "
            + gotList
            + ", but missing required input(s) "
            + missingList
            + ". Please provide all required input(s).");
  }

  private static long[] toArray(List<Long> dims) {
    long[] a = new long[dims.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = dims.get(i);
    }
    return a;
  }

  static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
