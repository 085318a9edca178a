package io.tensorgate.loadtest;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * The compute ceiling: an ONNX model run directly with ONNX Runtime, no server. T threads each own
 * a session (like T server instances, intra-op threads configurable) and call {@code run} back to
 * back on random inputs. The leading dimension of every input must be dynamic: it is the batch.
 */
final class OnnxBenchmark implements AutoCloseable {

  /** One batch size's measurement. Latencies are nanoseconds per {@code run} call. */
  record Result(int batchSize, int threads, long windowNanos, long batches, Histogram latencies) {
    double batchesPerSecond() {
      return batches / (windowNanos / 1e9);
    }

    double inferencesPerSecond() {
      return batchesPerSecond() * batchSize;
    }

    long percentileNanos(double percentile) {
      return batches == 0 ? 0 : latencies.getValueAtPercentile(percentile);
    }
  }

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final List<OrtSession> sessions = new ArrayList<>();
  private final Map<String, List<Long>> shapeOverrides;
  private final ExecutorService threads;

  /**
   * Opens one session per thread. Blocking.
   *
   * @param shapeOverrides shapes without the batch dimension for inputs with variable dimensions
   */
  OnnxBenchmark(
      Path model, int threadCount, int intraOpThreads, Map<String, List<Long>> shapeOverrides)
      throws OrtException {
    if (threadCount < 1 || intraOpThreads < 1) {
      throw new IllegalArgumentException("threads and intra-op threads must be >= 1");
    }
    this.shapeOverrides = Map.copyOf(Objects.requireNonNull(shapeOverrides, "shapeOverrides"));
    try {
      for (int i = 0; i < threadCount; i++) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        sessions.add(environment.createSession(model.toString(), options));
      }
    } catch (OrtException | RuntimeException e) {
      close();
      throw e;
    }
    this.threads = Executors.newFixedThreadPool(threadCount);
  }

  /** Runs one batch size: warm-up, then a measured window. Blocks the caller. */
  Result run(int batchSize, long warmupNanos, long durationNanos)
      throws OrtException, InterruptedException, ExecutionException {
    long start = System.nanoTime();
    long windowStart = start + warmupNanos;
    long windowEnd = windowStart + durationNanos;
    List<Future<Histogram>> futures = new ArrayList<>();
    for (int i = 0; i < sessions.size(); i++) {
      OrtSession session = sessions.get(i);
      Map<String, OnnxTensor> inputs = inputs(session, batchSize, i);
      futures.add(
          threads.submit(
              () -> {
                try {
                  return loop(session, inputs, windowStart, windowEnd);
                } finally {
                  inputs.values().forEach(OnnxTensor::close);
                }
              }));
    }
    Histogram merged = new Histogram(3);
    for (Future<Histogram> future : futures) {
      merged.add(future.get());
    }
    return new Result(batchSize, sessions.size(), durationNanos, merged.getTotalCount(), merged);
  }

  private static Histogram loop(
      OrtSession session, Map<String, OnnxTensor> inputs, long windowStart, long windowEnd)
      throws OrtException {
    Histogram latencies = new Histogram(3);
    while (true) {
      long begin = System.nanoTime();
      if (begin >= windowEnd) {
        return latencies;
      }
      try (OrtSession.Result ignored = session.run(inputs)) {
        long end = System.nanoTime();
        if (begin >= windowStart) {
          latencies.recordValue(end - begin);
        }
      }
    }
  }

  private Map<String, OnnxTensor> inputs(OrtSession session, int batchSize, long seed)
      throws OrtException {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, OnnxTensor> inputs = new HashMap<>();
    for (Map.Entry<String, NodeInfo> entry : session.getInputInfo().entrySet()) {
      String name = entry.getKey();
      if (!(entry.getValue().getInfo() instanceof TensorInfo info)) {
        throw new IllegalArgumentException("input '" + name + "' is not a tensor");
      }
      long[] shape = shape(name, info.getShape(), batchSize);
      WireType type = wireType(name, info.type);
      byte[] bytes = TensorEncoding.random(type, Shapes.elementCount(boxed(shape)), random);
      ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
      buffer.put(bytes).flip();
      inputs.put(name, OnnxTensor.createTensor(environment, buffer, shape, info.type));
    }
    return inputs;
  }

  private long[] shape(String name, long[] modelShape, int batchSize) {
    if (modelShape.length == 0 || modelShape[0] >= 0) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' has no dynamic leading (batch) dimension: "
              + Arrays.toString(modelShape));
    }
    List<Long> rest = shapeOverrides.get(name);
    long[] shape = modelShape.clone();
    shape[0] = batchSize;
    if (rest != null) {
      shape = new long[rest.size() + 1];
      shape[0] = batchSize;
      for (int i = 0; i < rest.size(); i++) {
        shape[i + 1] = rest.get(i);
      }
    }
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            "input '" + name + "' has variable dimensions; give --shape " + name + ":d1,d2,...");
      }
    }
    return shape;
  }

  private static List<Long> boxed(long[] shape) {
    List<Long> out = new ArrayList<>(shape.length);
    for (long dim : shape) {
      out.add(dim);
    }
    return out;
  }

  private static WireType wireType(String name, OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> WireType.FP32;
      case DOUBLE -> WireType.FP64;
      case INT8 -> WireType.INT8;
      case UINT8 -> WireType.UINT8;
      case INT16 -> WireType.INT16;
      case INT32 -> WireType.INT32;
      case INT64 -> WireType.INT64;
      case BOOL -> WireType.BOOL;
      case FLOAT16 -> WireType.FP16;
      case BFLOAT16 -> WireType.BF16;
      default ->
          throw new IllegalArgumentException("input '" + name + "': unsupported type " + type);
    };
  }

  @Override
  public void close() throws OrtException {
    if (threads != null) {
      threads.shutdownNow();
    }
    for (OrtSession session : sessions) {
      session.close();
    }
    sessions.clear();
  }
}
