package io.tensorgate.server.testing;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend (platform {@code tensorgate_gate}) whose instances copy input i to output i, and
 * can be held shut: each execution first takes a permit from the gate named by the config parameter
 * {@code gate}. Tests open and close gates by name; executions are counted per gate.
 */
public final class GateBackend extends TestBackend {
  public GateBackend() {
    super("gate");
  }

  private static final ConcurrentHashMap<String, Semaphore> GATES = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, AtomicInteger> EXECUTIONS =
      new ConcurrentHashMap<>();

  /** A gate that lets nothing through until {@link #open} adds permits. */
  public static void close(String gate) {
    GATES.put(gate, new Semaphore(0));
    EXECUTIONS.put(gate, new AtomicInteger());
  }

  /** Lets everything through from now on. */
  public static void open(String gate) {
    GATES.get(gate).release(1_000_000);
  }

  /** Executions that passed the gate. */
  public static int executions(String gate) {
    return EXECUTIONS.get(gate).get();
  }

  /** Executions waiting at the gate. */
  public static int waiting(String gate) {
    return GATES.get(gate).getQueueLength();
  }

  @Override
  public Model load(ModelDefinition def) {
    String gate = def.parameters().getOrDefault("gate", def.name());
    GATES.computeIfAbsent(gate, g -> new Semaphore(1_000_000));
    EXECUTIONS.computeIfAbsent(gate, g -> new AtomicInteger());
    return model(def, placement -> new Instance(placement, def, gate));
  }

  private static final class Instance implements ModelInstance {
    private final InstancePlacement placement;
    private final ModelDefinition def;
    private final String gate;

    Instance(InstancePlacement placement, ModelDefinition def, String gate) {
      this.placement = placement;
      this.def = def;
      this.gate = gate;
    }

    @Override
    public InstancePlacement placement() {
      return placement;
    }

    @Override
    public ExecutionResult execute(Batch batch) throws BackendException {
      long start = System.nanoTime();
      try {
        GATES.get(gate).acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException("interrupted at the gate");
      }
      EXECUTIONS.get(gate).incrementAndGet();
      List<Tensor> outs = new ArrayList<>();
      for (int i = 0; i < def.outputs().size(); i++) {
        String name = def.outputs().get(i).name();
        if (batch.requestedOutputs().contains(name)) {
          Tensor in = batch.inputs().get(Math.min(i, batch.inputs().size() - 1));
          java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(in.byteSize());
          copy.put(in.data()).flip();
          outs.add(new Tensor(name, in.dataType(), in.shape().clone(), copy));
        }
      }
      long end = System.nanoTime();
      return new ExecutionResult(outs, new ExecutionTimestamps(start, start, end, end));
    }

    @Override
    public void close() {}
  }
}
