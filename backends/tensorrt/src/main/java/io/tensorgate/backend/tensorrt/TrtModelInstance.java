package io.tensorgate.backend.tensorrt;

import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One TensorRT execution context on one GPU, with its own CUDA stream and staging buffers.
 *
 * <p>Per batch: choose the optimization profile, set the input shapes, copy inputs into pinned host
 * buffers and from there to the device asynchronously, enqueue the engine, copy the requested
 * outputs back asynchronously, synchronize the stream once, and copy the outputs into buffers that
 * belong to the caller. CUDA events around the three GPU phases give the compute timestamps.
 *
 * <p>Threading: {@link #execute} runs on the instance's worker thread only, which it makes current
 * on the instance's device first (the current device is per host thread).
 */
final class TrtModelInstance implements ModelInstance {
  private final InstancePlacement placement;
  private final int device;
  private final String model;
  private final IExecutionContext context;
  private final CUstream_st stream;
  private final CUevent_st[] events;
  private final ProfileSelector profiles;
  private final IoTensor[] inputs;
  private final IoTensor[] outputs;
  private final float[] elapsed = new float[1];
  private int profile;

  /** A tensor's reusable native state: its name as a C string, a Dims64 and its buffers. */
  private static final class IoTensor {
    final String name;
    final BytePointer cName;
    final DataType dataType;
    final Dims64 dims = new Dims64();
    final StagingBuffer buffer;
    long[] shape;
    long bytes;

    IoTensor(EngineTensor t) {
      this.name = t.name();
      this.cName = new BytePointer(t.name());
      this.dataType = t.dataType();
      this.buffer = new StagingBuffer(t.name());
    }

    void close() {
      buffer.close();
      dims.close();
      cName.close();
    }
  }

  private TrtModelInstance(
      InstancePlacement placement,
      int device,
      String model,
      IExecutionContext context,
      CUstream_st stream,
      CUevent_st[] events,
      EngineDescription description) {
    this.placement = placement;
    this.device = device;
    this.model = model;
    this.context = context;
    this.stream = stream;
    this.events = events;
    this.profiles = new ProfileSelector(description.profiles());
    this.inputs = description.inputs().stream().map(IoTensor::new).toArray(IoTensor[]::new);
    this.outputs = description.outputs().stream().map(IoTensor::new).toArray(IoTensor[]::new);
  }

  /**
   * Creates a context, a stream and four timing events on {@code engine}'s device.
   *
   * @throws BackendException when TensorRT or CUDA refuses; nothing stays allocated
   */
  static TrtModelInstance create(
      InstancePlacement placement, String model, TrtEngine engine, EngineDescription description)
      throws BackendException {
    Cuda.setDevice(engine.device());
    IExecutionContext context = engine.engine().createExecutionContext();
    if (context == null || context.isNull()) {
      throw new BackendException(
          "TensorRT could not create an execution context for instance '"
              + placement.name()
              + "' of model '"
              + model
              + "' on GPU "
              + engine.device()
              + " (out of device memory?)");
    }
    CUstream_st stream = new CUstream_st();
    CUevent_st[] events = new CUevent_st[4];
    int created = 0;
    try {
      Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreate");
      for (; created < events.length; created++) {
        events[created] = new CUevent_st();
        Cuda.check(cudaEventCreate(events[created]), "cudaEventCreate");
      }
      return new TrtModelInstance(
          placement, engine.device(), model, context, stream, events, description);
    } catch (BackendException e) {
      for (int i = 0; i < created; i++) {
        cudaEventDestroy(events[i]);
      }
      if (!stream.isNull()) {
        cudaStreamDestroy(stream);
      }
      context.deallocate();
      throw e;
    }
  }

  @Override
  public InstancePlacement placement() {
    return placement;
  }

  @Override
  public ExecutionResult execute(Batch batch) throws BackendException {
    long execStart = System.nanoTime();
    Cuda.setDevice(device);
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Tensor t : batch.inputs()) {
      shapes.put(t.name(), t.shape());
    }
    selectProfile(shapes);
    long issueStart = System.nanoTime();
    Cuda.check(cudaEventRecord(events[0], stream), "cudaEventRecord");
    for (IoTensor in : inputs) {
      Tensor t = find(batch.inputs(), in.name);
      setShape(in, t.shape());
      if (!context.setInputShape(in.cName, in.dims)) {
        throw failure(
            "TensorRT refused shape "
                + Shapes.toString(t.shape())
                + " for input '"
                + in.name
                + "'");
      }
      int bytes = t.byteSize();
      in.buffer.ensure(bytes);
      in.buffer.host(bytes).put(t.data());
      Cuda.check(
          cudaMemcpyAsync(
              in.buffer.devicePointer(),
              in.buffer.hostPointer(),
              bytes,
              cudaMemcpyHostToDevice,
              stream),
          "copying input '" + in.name + "' to GPU " + device);
      bind(in);
    }
    Cuda.check(cudaEventRecord(events[1], stream), "cudaEventRecord");
    for (IoTensor out : outputs) {
      out.shape = TrtEngine.dims(context.getTensorShape(out.cName));
      for (long d : out.shape) {
        if (d < 0) {
          throw failure(
              "output '"
                  + out.name
                  + "' has a data-dependent shape "
                  + Shapes.toString(out.shape)
                  + ", which the TensorRT backend does not serve");
        }
      }
      out.bytes = Shapes.byteSize(out.dataType, out.shape);
      out.buffer.ensure(out.bytes);
      bind(out);
    }
    if (!context.enqueueV3(stream)) {
      throw failure("TensorRT could not enqueue the batch (enqueueV3; see TensorRT's log)");
    }
    Cuda.check(cudaEventRecord(events[2], stream), "cudaEventRecord");
    List<IoTensor> requested = requested(batch.requestedOutputs());
    for (IoTensor out : requested) {
      Cuda.check(
          cudaMemcpyAsync(
              out.buffer.hostPointer(),
              out.buffer.devicePointer(),
              out.bytes,
              cudaMemcpyDeviceToHost,
              stream),
          "copying output '" + out.name + "' from GPU " + device);
    }
    Cuda.check(cudaEventRecord(events[3], stream), "cudaEventRecord");
    Cuda.check(cudaStreamSynchronize(stream), "running the batch on GPU " + device);
    float inputMillis = elapsed(events[0], events[1]);
    float inferMillis = elapsed(events[1], events[2]);
    List<Tensor> results = new ArrayList<>(requested.size());
    for (IoTensor out : requested) {
      // The caller owns outputs beyond the next batch, so they leave the reusable pinned buffer.
      ByteBuffer copy = ByteBuffer.allocate((int) out.bytes).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(out.buffer.host((int) out.bytes)).flip();
      results.add(new Tensor(out.name, out.dataType, out.shape, copy));
    }
    long execEnd = System.nanoTime();
    return new ExecutionResult(
        results, GpuTimeline.timestamps(execStart, issueStart, inputMillis, inferMillis, execEnd));
  }

  private void selectProfile(Map<String, long[]> shapes) throws BackendException {
    int chosen = profiles.select(shapes, profile);
    if (chosen < 0) {
      throw failure(profiles.rejection(model, shapes));
    }
    if (chosen != profile) {
      if (!context.setOptimizationProfileAsync(chosen, stream)) {
        throw failure("TensorRT could not switch to optimization profile " + chosen);
      }
      profile = chosen;
    }
  }

  private void bind(IoTensor t) throws BackendException {
    if (!context.setTensorAddress(t.cName, t.buffer.devicePointer())) {
      throw failure("TensorRT refused the device address of tensor '" + t.name + "'");
    }
  }

  private static void setShape(IoTensor t, long[] shape) {
    t.dims.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      t.dims.d(i, shape[i]);
    }
  }

  private float elapsed(CUevent_st from, CUevent_st to) throws BackendException {
    Cuda.check(cudaEventElapsedTime(elapsed, from, to), "cudaEventElapsedTime");
    return elapsed[0];
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

  private Tensor find(List<Tensor> tensors, String name) throws BackendException {
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw failure("the batch has no input '" + name + "', which the engine needs");
  }

  private BackendException failure(String what) {
    return new BackendException(
        "instance '" + placement.name() + "' of model '" + model + "': " + what);
  }

  @Override
  public void close() {
    try {
      Cuda.setDevice(device);
    } catch (BackendException e) {
      // Nothing more to do: the frees below report their own errors, which close() ignores.
    }
    cudaStreamSynchronize(stream);
    context.deallocate();
    for (CUevent_st e : events) {
      cudaEventDestroy(e);
    }
    cudaStreamDestroy(stream);
    for (IoTensor t : inputs) {
      t.close();
    }
    for (IoTensor t : outputs) {
      t.close();
    }
  }
}
