package io.tensorgate.server.codec;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.InferenceRequest.SequenceControl;
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
 * <p>Stateless and thread-safe; raw input bytes are wrapped, not copied: a tensor that arrived in
 * several network frames stays in them, as segments.
 */
public final class RequestDecoder {
  private final SharedMemoryRegistry shm;

  public RequestDecoder(SharedMemoryRegistry shm) {
    this.shm = Objects.requireNonNull(shm, "shm");
  }

  /**
   * Decodes and validates {@code req} against the model version's {@code io}, and fills {@code
   * into} with what the scheduler needs (id, inputs, requested outputs, batch size, priority,
   * timeout, sequence); the caller adds the rest (deadline, arrival, listener, cancellation).
   *
   * @return what answering the request needs besides the scheduler's outputs
   * @throws InferenceException INVALID_ARGUMENT (or the shared-memory registry's code) with
   *     Triton's message
   */
  public DecodedRequest decode(ModelInferRequest req, ModelIo io, InferenceRequest.Builder into)
      throws InferenceException {
    String model = io.modelName();
    RequestParameters params = RequestParameters.parse(req.getParametersMap());
    List<String> outputs = req.getOutputsCount() == 0 ? null : new ArrayList<>();
    OutputOptions[] options = requestedOutputs(req, io, outputs);

    int count = req.getInputsCount();
    if (count > io.inputCount() || count < io.requiredInputCount()) {
      throw InputChecks.countError(req, io);
    }
    Tensor[] byIndex = new Tensor[io.inputCount()];
    long batchSize = -1;
    int rawIndex = 0;
    boolean useRaw = req.getRawInputContentsCount() > 0;
    for (int i = 0; i < count; i++) {
      InferInputTensor in = req.getInputs(i);
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
        throw invalid(
            InputChecks.prefix(req) + "input '" + in.getName() + "' already exists in request");
      }
      TensorSpec spec = io.input(idx);
      long[] shape = toArray(in);
      if (io.batching()) {
        batchSize = batchDimension(req, in, shape, batchSize, model);
      }
      InputChecks.datatype(req, in, spec, model);
      InputChecks.shape(req, in.getName(), shape, spec, io);

      boolean inShm =
          in.getParametersCount() > 0 && in.getParametersMap().containsKey("shared_memory_region");
      Tensor t = tensor(req, in, spec, shape, model, useRaw && !inShm, rawIndex);
      if (useRaw && !inShm) {
        rawIndex++;
      }
      InputChecks.size(req, t, model);
      byIndex[idx] = t;
    }
    if (useRaw && rawIndex != req.getRawInputContentsCount()) {
      throw invalid(
          InputChecks.prefix(req)
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
            InputChecks.prefix(req)
                + "inference request batch-size must be <= "
                + io.maxBatchSize()
                + " for '"
                + model
                + "'");
      }
      if (batchSize < 1) {
        throw invalid(
            InputChecks.prefix(req)
                + "inference request batch-size must be >= 1 for '"
                + model
                + "'");
      }
    }
    List<Tensor> inputs = new ArrayList<>(count);
    for (Tensor t : byIndex) {
      if (t != null) {
        inputs.add(t);
      }
    }
    List<String> requested = outputs == null || outputs.isEmpty() ? io.allOutputNames() : outputs;
    int rows = io.batching() ? (int) batchSize : 1;
    SequenceControl sequence = params.sequence();
    into.id(req.getId())
        .inputs(inputs)
        .requestedOutputs(requested)
        .batchSize(rows)
        .priorityLevel(params.priority)
        .timeoutMicros(params.timeoutMicros)
        .sequence(sequence);
    return new DecodedRequest(
        req.getId(),
        inputs,
        requested,
        options,
        rows,
        params.priority,
        params.timeoutMicros,
        sequence);
  }

  /** The request's batch size so far, checked against this input's leading dimension. */
  private static long batchDimension(
      ModelInferRequest req, InferInputTensor in, long[] shape, long batchSize, String model)
      throws InferenceException {
    if (shape.length == 0) {
      throw invalid(
          InputChecks.prefix(req)
              + "input '"
              + in.getName()
              + "' has no shape but model requires batch dimension for '"
              + model
              + "'");
    }
    if (batchSize >= 0 && shape[0] != batchSize) {
      throw invalid(
          InputChecks.prefix(req)
              + "input '"
              + in.getName()
              + "' batch size does not match other inputs for '"
              + model
              + "'");
    }
    return shape[0];
  }

  private OutputOptions[] requestedOutputs(ModelInferRequest req, ModelIo io, List<String> names)
      throws InferenceException {
    if (names == null) {
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

  /** The input's data as a tensor: raw contents (as they arrived), typed contents, or shm. */
  private Tensor tensor(
      ModelInferRequest req,
      InferInputTensor in,
      TensorSpec spec,
      long[] shape,
      String model,
      boolean raw,
      int rawIndex)
      throws InferenceException {
    ShmParams s =
        in.getParametersCount() == 0 ? null : ShmParams.parse(in.getName(), in.getParametersMap());
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
      if (spec.dataType().isFixedSize()) {
        // Before reading: the region's bytes are copied, so a wrong size must cost nothing.
        InputChecks.fixedSize(req, in.getName(), spec.dataType(), shape, s.byteSize(), model);
      }
      // Read into server memory now: the bytes validated are the bytes executed, and nothing
      // downstream touches memory the client can take away.
      return new Tensor(
          spec.name(), spec.dataType(), shape, shm.read(s.region(), s.offset(), s.byteSize()));
    }
    if (in.hasContents() && raw) {
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
        return new Tensor(spec.name(), spec.dataType(), shape, typed);
      }
    } else if (raw && rawIndex < req.getRawInputContentsCount()) {
      // As the bytes arrived: one buffer, or the frames of a large tensor; none is copied.
      return Tensor.ofSegments(
          spec.name(),
          spec.dataType(),
          shape,
          req.getRawInputContents(rawIndex).asReadOnlyByteBufferList());
    }
    throw invalid(
        "unable to find data for input tensor '"
            + in.getName()
            + "' for model '"
            + model
            + "' in request.");
  }

  private static long[] toArray(InferInputTensor in) {
    long[] a = new long[in.getShapeCount()];
    for (int i = 0; i < a.length; i++) {
      a[i] = in.getShape(i);
    }
    return a;
  }

  static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
