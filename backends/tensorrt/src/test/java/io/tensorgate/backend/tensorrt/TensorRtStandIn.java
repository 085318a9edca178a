package io.tensorgate.backend.tensorrt;

import io.tensorgate.backend.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TensorRT in Java: a "plan" is the text {@code plan:<anything>}; every engine has the description
 * given and computes each output as its input of the same position times two (FP32). Runtimes,
 * engines and contexts are numbered ({@code r1}, {@code e1}, {@code c1}) and every creation and
 * release is written to the shared journal, so tests check order and counts. Thread-safe.
 */
final class TensorRtStandIn implements TensorRt {
  private final List<String> journal;
  private final CudaStandIn cuda;
  private final AtomicInteger ids = new AtomicInteger();
  private volatile EngineDescription description = FakeEngines.dynamicBatch();
  private volatile int version = 101501;
  private volatile boolean dataDependentOutputs;
  private volatile boolean refuseEnqueue;
  private volatile CountDownLatch deserializing;
  private volatile CountDownLatch proceed;
  private final AtomicInteger shapeQueries = new AtomicInteger();
  private final List<String> builds = new ArrayList<>();

  TensorRtStandIn(List<String> journal, CudaStandIn cuda) {
    this.journal = journal;
    this.cuda = cuda;
  }

  TensorRtStandIn describing(EngineDescription d) {
    this.description = d;
    return this;
  }

  TensorRtStandIn version(int v) {
    this.version = v;
    return this;
  }

  /** Output shapes keep -1 whatever the input shapes, as for data-dependent outputs. */
  TensorRtStandIn dataDependentOutputs() {
    this.dataDependentOutputs = true;
    return this;
  }

  TensorRtStandIn refusingEnqueue() {
    this.refuseEnqueue = true;
    return this;
  }

  /** Deserialization opens {@code started} and then waits for {@code proceed}. */
  TensorRtStandIn blockingDeserialization(CountDownLatch started, CountDownLatch proceed) {
    this.deserializing = started;
    this.proceed = proceed;
    return this;
  }

  int shapeQueries() {
    return shapeQueries.get();
  }

  /** The ONNX files built, in order. */
  synchronized List<String> builds() {
    return List.copyOf(builds);
  }

  static byte[] plan(String tag) {
    return ("plan:" + tag).getBytes(StandardCharsets.UTF_8);
  }

  static void writePlan(Path file, String tag) throws java.io.IOException {
    Files.write(file, plan(tag));
  }

  @Override
  public int version() {
    return version;
  }

  @Override
  public Runtime createRuntime() {
    String r = "r" + ids.incrementAndGet();
    journal.add("createInferRuntime -> " + r);
    return new StandInRuntime(r);
  }

  @Override
  public synchronized byte[] buildFromOnnx(Path onnx, ProfileChoice profile)
      throws BackendException {
    Map<String, long[]> inputs = new HashMap<>();
    for (EngineTensor t : description.inputs()) {
      inputs.put(t.name(), t.shape());
    }
    profile.choose(inputs);
    builds.add(onnx.getFileName().toString());
    journal.add("build " + onnx.getFileName());
    return plan("built from " + onnx.getFileName() + " #" + builds.size());
  }

  private final class StandInRuntime implements Runtime {
    private final String name;

    StandInRuntime(String name) {
      this.name = name;
    }

    @Override
    public Engine deserialize(byte[] plan) {
      CountDownLatch started = deserializing;
      if (started != null) {
        started.countDown();
        try {
          proceed.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String text = new String(plan, StandardCharsets.UTF_8);
      if (!text.startsWith("plan:")) {
        journal.add("deserialize " + name + " refused");
        return null;
      }
      String e = "e" + ids.incrementAndGet();
      journal.add("deserialize " + name + " -> " + e);
      return new StandInEngine(e);
    }

    @Override
    public void release() {
      journal.add("release " + name);
    }
  }

  private final class StandInEngine implements Engine {
    private final String name;

    StandInEngine(String name) {
      this.name = name;
    }

    @Override
    public EngineDescription describe() {
      return description;
    }

    @Override
    public Context createContext() {
      String c = "c" + ids.incrementAndGet();
      journal.add("createExecutionContext " + name + " -> " + c);
      return new StandInContext(c, description);
    }

    @Override
    public void release() {
      journal.add("release " + name);
    }
  }

  private final class StandInContext implements Context {
    private final String name;
    private final EngineDescription d;
    private final long[][] shapes;
    private final long[] addresses;

    StandInContext(String name, EngineDescription d) {
      this.name = name;
      this.d = d;
      this.shapes = new long[d.tensors().size()][];
      this.addresses = new long[d.tensors().size()];
    }

    @Override
    public boolean setProfile(int profile, long stream) {
      journal.add("setOptimizationProfileAsync " + name + " " + profile);
      return true;
    }

    @Override
    public boolean setInputShape(int tensor, long[] shape) {
      shapes[tensor] = shape.clone();
      return true;
    }

    /** An output's shape is its same-position input's shape. */
    @Override
    public long[] shape(int tensor) {
      shapeQueries.incrementAndGet();
      EngineTensor t = d.tensors().get(tensor);
      if (t.isInput()) {
        return shapes[tensor].clone();
      }
      if (dataDependentOutputs) {
        return t.shape();
      }
      int position = d.outputs().indexOf(t);
      return shapes[d.tensors().indexOf(d.inputs().get(position))].clone();
    }

    @Override
    public boolean setAddress(int tensor, long address) {
      if (address == 0) {
        journal.add("setTensorAddress " + name + " " + d.tensors().get(tensor).name() + " null");
        return false;
      }
      addresses[tensor] = address;
      return true;
    }

    @Override
    public boolean enqueue(long stream) {
      journal.add("enqueueV3 " + name);
      if (refuseEnqueue) {
        return false;
      }
      List<EngineTensor> outs = d.outputs();
      for (int o = 0; o < outs.size(); o++) {
        int in = d.tensors().indexOf(d.inputs().get(o));
        int out = d.tensors().indexOf(outs.get(o));
        long elements = Arrays.stream(shapes[in]).reduce(1, (a, b) -> a * b);
        ByteBuffer src = cuda.memory(addresses[in]).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer dst = cuda.memory(addresses[out]).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < elements; i++) {
          dst.putFloat(i * 4, src.getFloat(i * 4) * 2);
        }
      }
      return true;
    }

    @Override
    public void release() {
      journal.add("release " + name);
    }
  }
}
