package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.errorprone.annotations.concurrent.GuardedBy;
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
import java.util.Arrays;
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
 * <p>Inputs: a direct buffer becomes an ONNX Runtime tensor over the same memory, without a copy.
 * The scheduler gathers batched inputs straight into this instance's direct staging buffer for that
 * input ({@link #inputBuffer}); a heap buffer handed to {@link #execute} is copied there once (ONNX
 * Runtime would copy it too, and its 1.23 heap path fails for non-byte types). Staging buffers only
 * grow, so an instance keeps as much direct memory as its largest batched inputs. BYTES inputs and
 * outputs go through the model's {@link StringTensorCodec}, from and to the same buffers.
 *
 * <p>Outputs: each requested output goes into a new buffer that belongs to the caller: a small
 * output of a shape known before the run is written there by ONNX Runtime directly, any other is
 * copied there once from ONNX Runtime's memory (see {@link OutputSlot}).
 *
 * <p>Per batch, nothing is allocated on the Java side beyond ONNX Runtime's own tensor objects and
 * the outputs: the maps handed to {@code run} are kept from batch to batch, and the outputs' plan
 * is kept for as long as batches ask for the same outputs at the same batch size.
 *
 * <p>Threading: one batch at a time, as {@link ModelInstance} says; {@link #close} may come from
 * another thread after the last {@link #execute} returned.
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
  // Reused by every batch: putting a key that is already there allocates nothing.
  private final HashMap<String, OnnxTensor> feeds = new HashMap<>();
  private final HashMap<String, OnnxTensor> pinned = new HashMap<>();
  private OnnxTensor[] created = new OnnxTensor[4];
  private int createdCount;
  private OutputPlan plan;

  @GuardedBy("this")
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

  /** This instance's direct staging buffer for the input, which ONNX Runtime reads in place. */
  @Override
  public ByteBuffer inputBuffer(String name, int bytes) {
    return staging(name, bytes);
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
    try {
      OutputPlan outputs = plan(batch);
      List<Tensor> inputs = batch.inputs();
      for (int i = 0; i < inputs.size(); i++) {
        Tensor input = inputs.get(i);
        feeds.put(input.name(), track(toOrt(input)));
      }
      if (feeds.size() != inputs.size()) {
        // An optional input of the last batch is absent from this one.
        feeds.keySet().removeIf(name -> !contains(inputs, name));
      }
      Tensor[] pinnedResults = outputs.pin();
      long computeStart = System.nanoTime();
      try (OrtSession.Result result = session.run(feeds, outputs.fetched, pinned, runOptions)) {
        long computeEnd = System.nanoTime();
        Tensor[] results = new Tensor[outputs.requested.length];
        for (int i = 0; i < results.length; i++) {
          results[i] =
              pinnedResults[i] != null ? pinnedResults[i] : fromOrt(outputs.requested[i], result);
        }
        return new ExecutionResult(
            Arrays.asList(results),
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
      closeCreated();
    }
  }

  private static boolean contains(List<Tensor> inputs, String name) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The outputs' plan for this batch: the last one when the batch asks for the same. */
  private OutputPlan plan(Batch batch) throws BackendException {
    List<String> names = batch.requestedOutputs();
    OutputPlan p = plan;
    if (p != null && p.batchSize == batch.size() && (p.names == names || p.names.equals(names))) {
      return p;
    }
    List<OutputSlot> requested;
    if (names.isEmpty()) {
      requested = allOutputs;
    } else {
      requested = new ArrayList<>(names.size());
      for (String name : names) {
        OutputSlot output = outputsByName.get(name);
        if (output == null) {
          throw new BackendException(
              "model '" + modelName + "' has no configured output '" + name + "'");
        }
        requested.add(output);
      }
    }
    pinned.clear();
    plan = new OutputPlan(names, batch.size(), requested.toArray(new OutputSlot[0]));
    return plan;
  }

  /**
   * Which of a batch's requested outputs ONNX Runtime writes into caller-owned buffers made before
   * the run ("pinned"), and which it returns in its own memory ({@link #fetched}).
   */
  private final class OutputPlan {
    final List<String> names;
    final int batchSize;
    final OutputSlot[] requested;
    final long[][] pinnedShapes;
    final Set<String> fetched;

    OutputPlan(List<String> names, int batchSize, OutputSlot[] requested) {
      this.names = names;
      this.batchSize = batchSize;
      this.requested = requested;
      this.pinnedShapes = new long[requested.length][];
      Set<String> toFetch = new LinkedHashSet<>();
      for (int i = 0; i < requested.length; i++) {
        pinnedShapes[i] = requested[i].pinnedShape(batchSize);
        if (pinnedShapes[i] == null) {
          toFetch.add(requested[i].name());
        }
      }
      this.fetched = Collections.unmodifiableSet(toFetch);
    }

    /**
     * Creates the caller's buffers for the pinned outputs and the ONNX Runtime tensors the run
     * fills; the results, by requested index, null for fetched outputs.
     */
    Tensor[] pin() throws OrtException {
      Tensor[] results = new Tensor[requested.length];
      for (int i = 0; i < requested.length; i++) {
        long[] shape = pinnedShapes[i];
        if (shape == null) {
          continue;
        }
        OutputSlot output = requested[i];
        int bytes = Math.toIntExact(Shapes.byteSize(output.dataType(), shape));
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        pinned.put(
            output.name(),
            track(OnnxTensor.createTensor(environment, buffer, shape, output.pinnedType())));
        // The caller owns the output: a shape of its own, since the plan's is reused.
        results[i] = new Tensor(output.name(), output.dataType(), shape.clone(), buffer);
      }
      return results;
    }
  }

  /** Remembers a tensor made for this batch, to close it once the run is over. */
  private OnnxTensor track(OnnxTensor tensor) {
    if (createdCount == created.length) {
      created = Arrays.copyOf(created, created.length * 2);
    }
    created[createdCount++] = tensor;
    return tensor;
  }

  private void closeCreated() {
    for (int i = 0; i < createdCount; i++) {
      created[i].close();
      created[i] = null;
    }
    createdCount = 0;
  }

  private OnnxTensor toOrt(Tensor input) throws OrtException, BackendException {
    long[] shape = scalarInputs.contains(input.name()) ? new long[0] : input.shape();
    if (input.dataType() == DataType.BYTES) {
      return stringCodec.toOrt(input.name(), direct(input), elementCount(input), shape);
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
    return OnnxTensor.createTensor(environment, direct(input), shape, javaType);
  }

  /** The input's bytes in one direct buffer: its own, or this instance's staging copy. */
  private ByteBuffer direct(Tensor input) {
    if (input.isDirect()) {
      return input.data();
    }
    ByteBuffer buffer = staging(input.name(), input.byteSize());
    input.copyTo(buffer);
    return buffer.flip();
  }

  /** The staging buffer of an input, cleared, with room for {@code size} bytes. */
  private ByteBuffer staging(String name, int size) {
    ByteBuffer buffer = staging.get(name);
    if (buffer == null || buffer.capacity() < size) {
      // Power-of-two sizes so that batches of growing size reallocate only a few times.
      int capacity = size <= 64 ? 64 : Integer.highestOneBit(size - 1) << 1;
      buffer =
          ByteBuffer.allocateDirect(capacity > 0 ? capacity : size).order(ByteOrder.LITTLE_ENDIAN);
      staging.put(name, buffer);
    }
    return buffer.clear();
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
