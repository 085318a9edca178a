package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TensorRT execution context on one GPU, with its own CUDA stream, timing events and staging
 * buffers, all made when the instance is created: buffers are sized for the largest input shapes
 * its engine's profiles accept, so that a batch allocates no GPU or pinned memory.
 *
 * <p>Per batch: choose the optimization profile, set the input shapes, have inputs in pinned host
 * buffers (the scheduler gathers batched inputs straight into them, {@link #inputBuffer}; any other
 * input is copied there) and copy them to the device asynchronously, enqueue the engine, copy the
 * requested outputs back asynchronously, synchronize the stream once, and copy the outputs into
 * buffers that belong to the caller. CUDA events around the three GPU phases give the compute
 * timestamps. When a step fails, the stream is synchronized before the error is returned, so that
 * no copy of the failed batch is still running when the next batch reuses the buffers.
 *
 * <p>Threading: one batch at a time, as {@link ModelInstance} says; {@link #execute} makes the
 * instance's device current on its thread first (the current device is per host thread).
 */
final class TrtModelInstance implements ModelInstance {
  private static final System.Logger LOG = System.getLogger(TrtModelInstance.class.getName());

  private final InstancePlacement placement;
  private final String model;
  private final CudaRuntime cuda;
  private final int device;
  private final TensorRt.Context context;
  private final long stream;
  private final long[] events;
  private final ProfileSelector profiles;
  private final IoTensor[] inputs;
  private final IoTensor[] outputs;
  private final OutputShapeCache outputShapes = new OutputShapeCache();
  private final ReleaseStack releases;
  private int profile;
  private boolean closed;

  /** A tensor's index in the engine and its reusable buffers. */
  private static final class IoTensor {
    final String name;
    final int index;
    final DataType dataType;
    StagingBuffer buffer;
    long[] shape;
    long bytes;

    IoTensor(EngineTensor t, int index) {
      this.name = t.name();
      this.index = index;
      this.dataType = t.dataType();
    }
  }

  private TrtModelInstance(
      InstancePlacement placement,
      String model,
      CudaRuntime cuda,
      int device,
      TensorRt.Context context,
      long stream,
      long[] events,
      EngineDescription description,
      IoTensor[] inputs,
      IoTensor[] outputs,
      int profile,
      ReleaseStack releases) {
    this.placement = placement;
    this.model = model;
    this.cuda = cuda;
    this.device = device;
    this.context = context;
    this.stream = stream;
    this.events = events;
    this.profiles = new ProfileSelector(description.profiles());
    this.inputs = inputs;
    this.outputs = outputs;
    this.profile = profile;
    this.releases = releases;
  }

  /**
   * Creates a context, a stream, four timing events and the staging buffers on the lease's device.
   * The instance owns {@code lease} from then on, also when this fails.
   *
   * @throws BackendException when TensorRT or CUDA refuses, or an output's shape depends on the
   *     input values; nothing stays allocated
   */
  static TrtModelInstance create(
      InstancePlacement placement, String model, CudaRuntime cuda, EngineCache.Lease lease)
      throws BackendException {
    TrtEngine engine = lease.engine();
    int device = engine.device();
    EngineDescription description = engine.description();
    ReleaseStack releases = new ReleaseStack();
    releases.push("the engine", lease::close);
    try {
      cuda.setDevice(device);
      TensorRt.Context context = engine.createContext();
      if (context == null) {
        throw new BackendException(
            "TensorRT could not create an execution context for instance '"
                + placement.name()
                + "' of model '"
                + model
                + "' on GPU "
                + device
                + " (out of device memory?)");
      }
      releases.push("the execution context", context::release);
      long stream = cuda.createStream();
      releases.push("the CUDA stream", () -> cuda.destroyStream(stream));
      long[] events = new long[4];
      for (int i = 0; i < events.length; i++) {
        long event = cuda.createEvent();
        events[i] = event;
        releases.push("a CUDA event", () -> cuda.destroyEvent(event));
      }
      IoTensor[] inputs = tensors(description, true);
      IoTensor[] outputs = tensors(description, false);
      LargestShapes.Sizes sizes = LargestShapes.measure(model, description, context, stream);
      cuda.synchronize(stream);
      for (IoTensor t : concat(inputs, outputs)) {
        t.buffer = StagingBuffer.allocate(cuda, t.name, sizes.bytes()[t.index]);
        releases.push("the buffers of tensor '" + t.name + "'", t.buffer::release);
      }
      return new TrtModelInstance(
          placement,
          model,
          cuda,
          device,
          context,
          stream,
          events,
          description,
          inputs,
          outputs,
          sizes.profile(),
          releases);
    } catch (BackendException | RuntimeException e) {
      releases.close();
      throw e;
    }
  }

  private static IoTensor[] tensors(EngineDescription d, boolean input) {
    List<IoTensor> out = new ArrayList<>();
    List<EngineTensor> all = d.tensors();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).isInput() == input) {
        out.add(new IoTensor(all.get(i), i));
      }
    }
    return out.toArray(IoTensor[]::new);
  }

  private static IoTensor[] concat(IoTensor[] a, IoTensor[] b) {
    IoTensor[] all = new IoTensor[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Override
  public InstancePlacement placement() {
    return placement;
  }

  /** The input's pinned host staging memory, grown to {@code bytes} if it must be. */
  @Override
  public ByteBuffer inputBuffer(String name, int bytes) {
    for (IoTensor in : inputs) {
      if (in.name.equals(name)) {
        try {
          if (in.buffer.capacity() < bytes) {
            cuda.setDevice(device);
            in.buffer.ensure(bytes);
          }
        } catch (BackendException e) {
          // The scheduler then uses its own memory; execute() meets the same failure and says so.
          return null;
        }
        return in.buffer.host(bytes);
      }
    }
    return null;
  }

  @Override
  public ExecutionResult execute(Batch batch) throws BackendException {
    long execStart = System.nanoTime();
    long[][] inputShapes = new long[inputs.length][];
    Tensor[] inputTensors = new Tensor[inputs.length];
    boolean[] staged = new boolean[inputs.length];
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (int i = 0; i < inputs.length; i++) {
      int at = indexOf(batch.inputs(), inputs[i].name);
      inputTensors[i] = batch.inputs().get(at);
      staged[i] = batch.inInstanceMemory(at);
      inputShapes[i] = inputTensors[i].shape();
      shapes.put(inputs[i].name, inputShapes[i]);
    }
    boolean queued = false;
    try {
      cuda.setDevice(device);
      selectProfile(shapes);
      long issueStart = System.nanoTime();
      queued = true;
      cuda.record(events[0], stream);
      for (int i = 0; i < inputs.length; i++) {
        stageInput(inputs[i], inputTensors[i], staged[i]);
      }
      cuda.record(events[1], stream);
      long[][] outShapes = outputShapes(inputShapes);
      for (int i = 0; i < outputs.length; i++) {
        IoTensor out = outputs[i];
        out.shape = outShapes[i];
        out.bytes = Shapes.byteSize(out.dataType, out.shape);
        out.buffer.ensure(out.bytes);
        bind(out);
      }
      if (!context.enqueue(stream)) {
        throw new BackendException("TensorRT could not enqueue the batch (enqueueV3; see its log)");
      }
      cuda.record(events[2], stream);
      List<IoTensor> requested = requested(batch.requestedOutputs());
      for (IoTensor out : requested) {
        cuda.copyToHost(out.buffer.hostAddress(), out.buffer.deviceAddress(), out.bytes, stream);
      }
      cuda.record(events[3], stream);
      cuda.synchronize(stream);
      queued = false;
      float inputMillis = cuda.elapsedMillis(events[0], events[1]);
      float inferMillis = cuda.elapsedMillis(events[1], events[2]);
      // Device time for cost accounting: the stream from the first copy in to the last copy out.
      float deviceMillis = cuda.elapsedMillis(events[0], events[3]);
      List<Tensor> results = new ArrayList<>(requested.size());
      for (IoTensor out : requested) {
        // The caller owns outputs beyond the next batch, so they leave the reusable pinned buffer.
        ByteBuffer copy = ByteBuffer.allocate((int) out.bytes).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(out.buffer.host((int) out.bytes)).flip();
        results.add(new Tensor(out.name, out.dataType, out.shape.clone(), copy));
      }
      long execEnd = System.nanoTime();
      return new ExecutionResult(
          results,
          GpuTimeline.timestamps(execStart, issueStart, inputMillis, inferMillis, execEnd),
          GpuTimeline.nanos(deviceMillis));
    } catch (BackendException | RuntimeException e) {
      if (queued) {
        settle(e);
      }
      throw failure(e.getMessage(), e);
    }
  }

  /**
   * Sets the input's shape and queues its copy to the device; {@code staged}: the scheduler already
   * gathered it into the pinned buffer.
   */
  private void stageInput(IoTensor in, Tensor t, boolean staged) throws BackendException {
    if (!context.setInputShape(in.index, t.shape())) {
      throw new BackendException(
          "TensorRT refused shape " + Shapes.toString(t.shape()) + " for input '" + in.name + "'");
    }
    int bytes = t.byteSize();
    if (!staged) {
      in.buffer.ensure(bytes);
      t.copyTo(in.buffer.host(bytes));
    }
    cuda.copyToDevice(in.buffer.deviceAddress(), in.buffer.hostAddress(), bytes, stream);
    bind(in);
  }

  /** The output shapes for these input shapes, asked of TensorRT once per distinct shapes. */
  private long[][] outputShapes(long[][] inputShapes) throws BackendException {
    long[][] known = outputShapes.get(inputShapes);
    if (known != null) {
      return known;
    }
    long[][] shapes = new long[outputs.length][];
    for (int i = 0; i < outputs.length; i++) {
      shapes[i] = context.shape(outputs[i].index);
      if (!LargestShapes.resolved(shapes[i])) {
        throw LargestShapes.dataDependent(model, outputs[i].name, shapes[i]);
      }
    }
    outputShapes.put(inputShapes, shapes);
    return shapes;
  }

  /** Waits for what the failed batch queued; the first error stays the one reported. */
  private void settle(Exception failure) {
    try {
      cuda.synchronize(stream);
    } catch (BackendException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private void selectProfile(Map<String, long[]> shapes) throws BackendException {
    int chosen = profiles.select(shapes, profile);
    if (chosen < 0) {
      throw new BackendException(profiles.rejection(model, shapes));
    }
    if (chosen != profile) {
      if (!context.setProfile(chosen, stream)) {
        throw new BackendException("TensorRT could not switch to optimization profile " + chosen);
      }
      profile = chosen;
    }
  }

  private void bind(IoTensor t) throws BackendException {
    if (!context.setAddress(t.index, t.buffer.deviceAddress())) {
      throw new BackendException("TensorRT refused the device address of tensor '" + t.name + "'");
    }
  }

  private List<IoTensor> requested(List<String> names) {
    List<IoTensor> out = new ArrayList<>(names.size());
    for (String name : names) {
      for (IoTensor t : outputs) {
        if (t.name.equals(name)) {
          out.add(t);
        }
      }
    }
    return out;
  }

  private int indexOf(List<Tensor> tensors, String name) throws BackendException {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return i;
      }
    }
    throw failure("the batch has no input '" + name + "', which the engine needs", null);
  }

  private BackendException failure(String what, Throwable cause) {
    return new BackendException(
        "instance '" + placement.name() + "' of model '" + model + "': " + what, cause);
  }

  /**
   * Waits for the stream, then releases the staging buffers, events, stream and context, and last
   * its hold on the engine (which releases the engine once no other instance or model holds it).
   * Later calls do nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      cuda.setDevice(device);
      cuda.synchronize(stream);
    } catch (BackendException e) {
      LOG.log(
          Level.WARNING,
          "closing instance '"
              + placement.name()
              + "' of model '"
              + model
              + "': "
              + e.getMessage());
    }
    releases.close();
  }
}
