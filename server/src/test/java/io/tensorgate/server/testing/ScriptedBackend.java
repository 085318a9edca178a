package io.tensorgate.server.testing;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A test backend (platform {@code tensorgate_scripted}) whose versions a test can make fail, slow
 * down or answer differently while they serve. INPUT0 INT32 [16] gives OUTPUT0 = INPUT0 + offset
 * and PROBS FP32 [4], a one-hot "classifier" at class (INPUT0[0] + offset) mod 4. Behaviours are
 * keyed by (model, version) and read on every execution.
 */
public final class ScriptedBackend extends TestBackend {
  public ScriptedBackend() {
    super("scripted");
  }

  private static final ConcurrentHashMap<String, Behaviour> BEHAVIOURS = new ConcurrentHashMap<>();

  /** What one version does now; tests change it while traffic flows. */
  public static final class Behaviour {
    public volatile boolean fail;
    public volatile long delayNanos;
    public volatile int offset;
    public final AtomicInteger executions = new AtomicInteger();

    /** Loads of this version that fail before one succeeds. */
    public final AtomicInteger failingLoads = new AtomicInteger();

    /**
     * When set, a load counts it down and waits (up to 5 s) for the others that share it: loads
     * that must overlap in time succeed, loads made one after the other fail.
     */
    public volatile CountDownLatch loadRendezvous;
  }

  /** The behaviour of a version (created on first use, healthy and fast). */
  public static Behaviour of(String model, long version) {
    return BEHAVIOURS.computeIfAbsent(model + "/" + version, k -> new Behaviour());
  }

  /** Resets every version of the model to healthy. */
  public static void reset(String model) {
    BEHAVIOURS.keySet().removeIf(k -> k.startsWith(model + "/"));
  }

  /** Writes a scripted model with the given versions into a repository folder. */
  public static void writeModel(
      Path repository, String name, String extraConfig, long... versions) {
    try {
      Path dir = Files.createDirectories(repository.resolve(name));
      Files.writeString(
          dir.resolve("config.pbtxt"),
          "platform: \"tensorgate_scripted\"\nmax_batch_size: 8\n"
              + "input [{ name: \"INPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
              + "output [{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] },"
              + " { name: \"PROBS\" data_type: TYPE_FP32 dims: [4] }]\n"
              + "instance_group [{ count: 2 kind: KIND_CPU }]\n"
              + "version_policy: { all {} }\n"
              + extraConfig);
      for (long v : versions) {
        Path vd = Files.createDirectories(dir.resolve(Long.toString(v)));
        Files.writeString(vd.resolve("model.scripted"), "");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Model load(ModelDefinition def) throws BackendException {
    Behaviour b = of(def.name(), def.version());
    if (b.failingLoads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new BackendException("scripted load failure of " + def.name() + " v" + def.version());
    }
    CountDownLatch rendezvous = b.loadRendezvous;
    if (rendezvous != null) {
      rendezvous.countDown();
      try {
        if (!rendezvous.await(5, TimeUnit.SECONDS)) {
          throw new BackendException("scripted load of " + def.name() + " waited alone");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException("interrupted");
      }
    }
    return model(def, placement -> new Instance(placement, def, b));
  }

  private static final class Instance implements ModelInstance {
    private final InstancePlacement placement;
    private final ModelDefinition def;
    private final Behaviour behaviour;

    Instance(InstancePlacement placement, ModelDefinition def, Behaviour behaviour) {
      this.placement = placement;
      this.def = def;
      this.behaviour = behaviour;
    }

    @Override
    public InstancePlacement placement() {
      return placement;
    }

    @Override
    public ExecutionResult execute(Batch batch) throws BackendException {
      long start = System.nanoTime();
      behaviour.executions.incrementAndGet();
      long delay = behaviour.delayNanos;
      if (delay > 0) {
        // Simulated model latency, not a test wait.
        LockSupport.parkNanos(delay);
      }
      if (behaviour.fail) {
        throw new BackendException("scripted failure of " + def.name() + " v" + def.version());
      }
      int offset = behaviour.offset;
      ByteBuffer in = batch.inputs().get(0).data().slice().order(ByteOrder.LITTLE_ENDIAN);
      int rows = in.remaining() / 64;
      ByteBuffer sum = ByteBuffer.allocate(rows * 64).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer probs = ByteBuffer.allocate(rows * 16).order(ByteOrder.LITTLE_ENDIAN);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < 16; i++) {
          sum.putInt(in.getInt((r * 16 + i) * 4) + offset);
        }
        int top = Math.floorMod(in.getInt(r * 64) + offset, 4);
        for (int c = 0; c < 4; c++) {
          probs.putFloat(c == top ? 0.9f : 0.1f / 3);
        }
      }
      sum.flip();
      probs.flip();
      List<Tensor> outs = new ArrayList<>();
      if (batch.requestedOutputs().contains("OUTPUT0")) {
        outs.add(new Tensor("OUTPUT0", DataType.INT32, new long[] {rows, 16}, sum));
      }
      if (batch.requestedOutputs().contains("PROBS")) {
        outs.add(new Tensor("PROBS", DataType.FP32, new long[] {rows, 4}, probs));
      }
      long end = System.nanoTime();
      return new ExecutionResult(outs, new ExecutionTimestamps(start, start, end, end));
    }

    @Override
    public void close() {}
  }
}
