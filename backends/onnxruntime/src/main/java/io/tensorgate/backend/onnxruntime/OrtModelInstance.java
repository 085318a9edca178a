package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One ONNX Runtime session: a model instance on the CPU.
 *
 * <p>Inputs: a direct buffer becomes an ONNX Runtime tensor over the same memory, without a copy. A
 * heap buffer is copied once into this instance's direct staging buffer for that input (ONNX
 * Runtime would copy it too, and its 1.23 heap path fails for non-byte types); staging buffers only
 * grow, so an instance keeps as much direct memory as its largest heap inputs. BYTES inputs and
 * outputs go through the model's {@link StringTensorCodec}, from and to the same buffers.
 *
 * <p>Outputs: each requested output goes into a new buffer that belongs to the caller: a small
 * output of a shape known before the run is written there by ONNX Runtime directly, any other is
 * copied there once from ONNX Runtime's memory (see {@link OutputSlot}).
 *
 * <p>Threading: confined to the instance's worker thread, as {@link ModelInstance} says; {@link
 * #close} may come from another thread after the last {@link #execute} returned.
 */
final class OrtModelInstance implements ModelInstance {
  private final InstancePlacement placement;
  private final OrtEnvironment environment;
  private final StringTensorCodec stringCodec;
  private final OrtSession session;
  private final OrtSession.RunOptions runOptions;
  private final String modelName;
  private final List<OutputSlot> allOutputs;
  private final Map<String, OutputSlot> outputsByName;
  private final Set<String> scalarInputs;
  private final Map<String, ByteBuffer> staging = new HashMap<>();
  private boolean closed;

  /**
   * Takes ownership of {@code session} and {@code runOptions}; {@link #close} releases them.
   *
   * @param outputs the configured outputs, in the configuration's order
   * @param scalarInputs inputs that are rank 0 in the model (configured as dims of 1)
   */
  OrtModelInstance(
      InstancePlacement placement,
      OrtEnvironment environment,
      StringTensorCodec stringCodec,
      OrtSession session,
      OrtSession.RunOptions runOptions,
      String modelName,
      List<OutputSlot> outputs,
      Set<String> scalarInputs) {
    this.placement = Objects.requireNonNull(placement, "placement");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.stringCodec = Objects.requireNonNull(stringCodec, "stringCodec");
    this.session = Objects.requireNonNull(session, "session");
    this.runOptions = Objects.requireNonNull(runOptions, "runOptions");
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.allOutputs = List.copyOf(Objects.requireNonNull(outputs, "outputs"));
    this.outputsByName = new HashMap<>();
    for (OutputSlot output : allOutputs) {
      outputsByName.put(output.name(), output);
    }
    this.scalarInputs = Set.copyOf(Objects.requireNonNull(scalarInputs, "scalarInputs"));
  }

  @Override
  public InstancePlacement placement() {
    return placement;
  }

  /**
   * Runs the batch's requested outputs; all configured outputs when it requests none.
   *
   * @throws BackendException with ONNX Runtime's message when the run fails; this instance stays
   *     usable
   */
  @Override
  public ExecutionResult execute(Batch batch) throws BackendException {
    long execStart = System.nanoTime();
    List<OutputSlot> requested = requestedOutputs(batch);
    Map<String, OnnxTensor> feeds = new HashMap<>();
    Map<String, OnnxTensor> pinned = new HashMap<>();
    Map<String, Tensor> pinnedResults = new HashMap<>();
    Set<String> fetched = new LinkedHashSet<>();
    try {
      for (Tensor input : batch.inputs()) {
        feeds.put(input.name(), toOrt(input));
      }
      for (OutputSlot output : requested) {
        long[] shape = output.pinnedShape(batch.size());
        if (shape == null) {
          fetched.add(output.name());
        } else {
          pin(output, shape, pinned, pinnedResults);
        }
      }
      long computeStart = System.nanoTime();
      try (OrtSession.Result result = session.run(feeds, fetched, pinned, runOptions)) {
        long computeEnd = System.nanoTime();
        List<Tensor> outputs = new ArrayList<>(requested.size());
        for (OutputSlot output : requested) {
          Tensor pinnedResult = pinnedResults.get(output.name());
          outputs.add(pinnedResult != null ? pinnedResult : fromOrt(output, result));
        }
        return new ExecutionResult(
            outputs,
            new ExecutionTimestamps(execStart, computeStart, computeEnd, System.nanoTime()));
      }
    } catch (OrtException | IllegalArgumentException | IllegalStateException e) {
      throw new BackendException(
          "ONNX Runtime failed to run model '"
              + modelName
              + "' on instance '"
              + placement.name()
              + "': "
              + e.getMessage(),
          e);
    } finally {
      closeAll(feeds);
      closeAll(pinned);
    }
  }

  private List<OutputSlot> requestedOutputs(Batch batch) throws BackendException {
    List<String> names = batch.requestedOutputs();
    if (names.isEmpty()) {
      return allOutputs;
    }
    List<OutputSlot> requested = new ArrayList<>(names.size());
    for (String name : names) {
      OutputSlot output = outputsByName.get(name);
      if (output == null) {
        throw new BackendException(
            "model '" + modelName + "' has no configured output '" + name + "'");
      }
      requested.add(output);
    }
    return requested;
  }

  /** Creates the caller's buffer for an output and an ONNX Runtime tensor for the run to fill. */
  private void pin(
      OutputSlot output,
      long[] shape,
      Map<String, OnnxTensor> pinned,
      Map<String, Tensor> pinnedResults)
      throws OrtException {
    int size = Math.toIntExact(Shapes.byteSize(output.dataType(), shape));
    ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    pinned.put(
        output.name(), OnnxTensor.createTensor(environment, buffer, shape, output.pinnedType()));
    pinnedResults.put(output.name(), new Tensor(output.name(), output.dataType(), shape, buffer));
  }

  private static void closeAll(Map<String, OnnxTensor> tensors) {
    for (OnnxTensor tensor : tensors.values()) {
      tensor.close();
    }
  }

  private OnnxTensor toOrt(Tensor input) throws OrtException, BackendException {
    long[] shape = scalarInputs.contains(input.name()) ? new long[0] : input.shape();
    if (input.dataType() == DataType.BYTES) {
      ByteBuffer data = input.data();
      ByteBuffer direct = data.isDirect() ? data : staged(input.name(), data);
      return stringCodec.toOrt(input.name(), direct, elementCount(input), shape);
    }
    OnnxJavaType javaType = OrtTypes.bufferJavaType(input.dataType());
    if (javaType == null) {
      throw new BackendException(
          "input '"
              + input.name()
              + "' is "
              + input.dataType()
              + ", which ONNX Runtime's Java API cannot create");
    }
    long expected = byteSize(input);
    if (input.byteSize() != expected) {
      throw new BackendException(
          "input '"
              + input.name()
              + "' has "
              + input.byteSize()
              + " bytes but "
              + input.dataType()
              + Shapes.toString(input.shape())
              + " needs "
              + expected);
    }
    ByteBuffer data = input.data();
    ByteBuffer direct = data.isDirect() ? data : staged(input.name(), data);
    return OnnxTensor.createTensor(environment, direct, shape, javaType);
  }

  private ByteBuffer staged(String name, ByteBuffer heap) {
    ByteBuffer buffer = staging.get(name);
    int size = heap.remaining();
    if (buffer == null || buffer.capacity() < size) {
      // Power-of-two sizes so that batches of growing size reallocate only a few times.
      int capacity = size <= 64 ? 64 : Integer.highestOneBit(size - 1) << 1;
      buffer = ByteBuffer.allocateDirect(capacity > 0 ? capacity : size);
      staging.put(name, buffer);
    }
    buffer.clear();
    buffer.put(heap);
    return buffer.flip();
  }

  private Tensor fromOrt(OutputSlot output, OrtSession.Result result)
      throws OrtException, BackendException {
    OnnxValue value =
        result
            .get(output.name())
            .orElseThrow(
                () ->
                    new BackendException(
                        "ONNX Runtime returned no output '" + output.name() + "'"));
    if (!(value instanceof OnnxTensor tensor)) {
      throw new BackendException(
          "output '" + output.name() + "' is not a tensor: " + value.getInfo());
    }
    TensorInfo info = tensor.getInfo();
    ByteBuffer data =
        output.dataType() == DataType.BYTES
            ? stringCodec.fromOrt(output.name(), tensor, info.getNumElements())
            : tensor.getByteBuffer();
    return new Tensor(
        output.name(), output.dataType(), output.reportedShape(info.getShape()), data);
  }

  private static long elementCount(Tensor tensor) throws BackendException {
    try {
      return tensor.elementCount();
    } catch (ArithmeticException e) {
      throw new BackendException("input '" + tensor.name() + "': " + e.getMessage(), e);
    }
  }

  private static long byteSize(Tensor tensor) throws BackendException {
    try {
      return Shapes.byteSize(tensor.dataType(), tensor.shape());
    } catch (ArithmeticException e) {
      throw new BackendException("input '" + tensor.name() + "': " + e.getMessage(), e);
    }
  }

  /** Releases the session and run options; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    staging.clear();
    OrtSessions.closeQuietly(session);
    runOptions.close();
  }
}
