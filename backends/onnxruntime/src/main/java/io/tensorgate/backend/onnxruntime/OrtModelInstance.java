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
import java.util.ArrayList;
import java.util.Collections;
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
 * grow, so an instance keeps as much direct memory as its largest heap inputs. BYTES inputs go
 * through strings, see {@link StringTensors} for what that limits.
 *
 * <p>Outputs: each requested output is copied once out of ONNX Runtime's memory into a new heap
 * buffer that belongs to the caller.
 *
 * <p>Threading: confined to the instance's worker thread, as {@link ModelInstance} says; {@link
 * #close} may come from another thread after the last {@link #execute} returned.
 */
final class OrtModelInstance implements ModelInstance {
  private final InstancePlacement placement;
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final OrtSession.RunOptions runOptions;
  private final String modelName;
  private final Map<String, DataType> outputTypes;
  private final Set<String> allOutputs;
  private final Set<String> scalarInputs;
  private final Map<String, long[]> scalarOutputShapes;
  private final Map<String, ByteBuffer> staging = new HashMap<>();
  private boolean closed;

  /**
   * Takes ownership of {@code session} and {@code runOptions}; {@link #close} releases them.
   *
   * @param outputs the configured outputs, by name, with their datatypes, in the model's order
   * @param scalarInputs inputs that are rank 0 in the model (configured as dims of 1)
   * @param scalarOutputShapes outputs that are rank 0 in the model, with their configured dims
   */
  OrtModelInstance(
      InstancePlacement placement,
      OrtEnvironment environment,
      OrtSession session,
      OrtSession.RunOptions runOptions,
      String modelName,
      Map<String, DataType> outputs,
      Set<String> scalarInputs,
      Map<String, long[]> scalarOutputShapes) {
    this.placement = Objects.requireNonNull(placement, "placement");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.session = Objects.requireNonNull(session, "session");
    this.runOptions = Objects.requireNonNull(runOptions, "runOptions");
    this.modelName = Objects.requireNonNull(modelName, "modelName");
    this.outputTypes = Map.copyOf(Objects.requireNonNull(outputs, "outputs"));
    this.allOutputs = Collections.unmodifiableSet(new LinkedHashSet<>(outputs.keySet()));
    this.scalarInputs = Set.copyOf(Objects.requireNonNull(scalarInputs, "scalarInputs"));
    this.scalarOutputShapes =
        Map.copyOf(Objects.requireNonNull(scalarOutputShapes, "scalarOutputShapes"));
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
    List<Tensor> inputs = batch.inputs();
    Map<String, OnnxTensor> feeds = new HashMap<>(inputs.size() * 2);
    try {
      for (Tensor input : inputs) {
        feeds.put(input.name(), toOrt(input));
      }
      long computeStart = System.nanoTime();
      try (OrtSession.Result result = session.run(feeds, outputNames(batch), runOptions)) {
        long computeEnd = System.nanoTime();
        List<Tensor> outputs = new ArrayList<>(result.size());
        for (Map.Entry<String, OnnxValue> output : result) {
          outputs.add(fromOrt(output.getKey(), output.getValue()));
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
      for (OnnxTensor feed : feeds.values()) {
        feed.close();
      }
    }
  }

  private Set<String> outputNames(Batch batch) {
    List<String> requested = batch.requestedOutputs();
    if (requested.isEmpty()
        || (requested.size() == allOutputs.size() && allOutputs.containsAll(requested))) {
      return allOutputs;
    }
    return new LinkedHashSet<>(requested);
  }

  private OnnxTensor toOrt(Tensor input) throws OrtException, BackendException {
    long[] shape = scalarInputs.contains(input.name()) ? new long[0] : input.shape();
    if (input.dataType() == DataType.BYTES) {
      String[] strings = StringTensors.decode(input.name(), input.data(), elementCount(input));
      return OnnxTensor.createTensor(environment, strings, shape);
    }
    OnnxJavaType javaType = OrtTypes.inputJavaType(input.dataType());
    if (javaType == null) {
      throw new BackendException(
          "input '"
              + input.name()
              + "' is "
              + input.dataType()
              + ", which ONNX Runtime's Java API cannot create");
    }
    long expected = Math.multiplyExact(elementCount(input), input.dataType().byteSize());
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

  private Tensor fromOrt(String name, OnnxValue value) throws OrtException, BackendException {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new BackendException("output '" + name + "' is not a tensor: " + value.getInfo());
    }
    DataType dataType = outputTypes.get(name);
    if (dataType == null) {
      throw new BackendException("output '" + name + "' is not a configured output");
    }
    TensorInfo info = tensor.getInfo();
    long[] scalarShape = scalarOutputShapes.get(name);
    long[] shape = scalarShape != null ? scalarShape.clone() : info.getShape();
    ByteBuffer data =
        dataType == DataType.BYTES
            ? StringTensors.encode(name, tensor.getValue(), info.getNumElements())
            : tensor.getByteBuffer();
    return new Tensor(name, dataType, shape, data);
  }

  private static long elementCount(Tensor tensor) throws BackendException {
    try {
      return tensor.elementCount();
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
