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
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test backend (platform {@code tensorgate_fault}) for reliability checks: copies INPUT0 to
 * OUTPUT0 like the gate backend, and injects faults chosen by the data or by config parameters.
 *
 * <ul>
 *   <li>A batch whose first element is {@link #THROW} throws a {@link BackendException}.
 *   <li>A batch whose first element is {@link #HANG} blocks, ignoring interrupts as a stuck native
 *       call would, until {@link #releaseHung} (tests call it when they end).
 *   <li>{@code delay_ms}: every execution takes that long (a model of known capacity, for the
 *       overload and soak scripts).
 *   <li>{@code leak_bytes_per_request}: every request leaves that many bytes reachable forever (the
 *       soak script's negative control).
 *   <li>{@code cpu_us_per_inference}: every execution spins until its thread used that many
 *       microseconds of CPU per inference of the batch (a model of known CPU cost).
 *   <li>{@code device_us_per_inference}: every execution reports that much device time per
 *       inference, as a GPU backend measures with CUDA events.
 *   <li>{@code max_instances}: instances past this many (of one load) fail to be created, so that
 *       the replacement of a hung instance fails.
 * </ul>
 *
 * <p>A version's model file ({@code model.fault}, usually empty; larger than 64 KiB it is ignored)
 * may hold {@code key=value} lines that override these parameters for that version alone (a canary
 * that costs more).
 *
 * <p>Loaded from the test class path only (service file under src/test/resources): the scripts that
 * use it put {@code server/target/test-classes} beside the server jar.
 */
public final class FaultBackend extends TestBackend {
  public FaultBackend() {
    super("fault");
  }

  /** First element of a request that makes its batch throw. */
  public static final int THROW = -666;

  /** First element of a request that makes its batch hang. */
  public static final int HANG = -777;

  private static final AtomicInteger INSTANCES_OPENED = new AtomicInteger();
  private static final AtomicInteger INSTANCES_CLOSED = new AtomicInteger();
  private static final AtomicInteger HUNG = new AtomicInteger();
  private static volatile CountDownLatch hangRelease = new CountDownLatch(1);
  // The negative control of the soak: deliberately never cleared.
  private static final ConcurrentLinkedQueue<byte[]> LEAKED = new ConcurrentLinkedQueue<>();

  /** Instances created since the class loaded. */
  public static int instancesOpened() {
    return INSTANCES_OPENED.get();
  }

  /** Instances closed since the class loaded. */
  public static int instancesClosed() {
    return INSTANCES_CLOSED.get();
  }

  /** Executions blocked in a hang right now. */
  public static int hung() {
    return HUNG.get();
  }

  /** Lets every hung execution return (with an error) and arms a new hang. */
  public static void releaseHung() {
    CountDownLatch old = hangRelease;
    hangRelease = new CountDownLatch(1);
    old.countDown();
  }

  @Override
  public Model load(ModelDefinition def) throws BackendException {
    long delayNanos = TimeUnit.MILLISECONDS.toNanos(longParameter(def, "delay_ms"));
    int leakBytes = (int) longParameter(def, "leak_bytes_per_request");
    long cpuNanos = TimeUnit.MICROSECONDS.toNanos(longParameter(def, "cpu_us_per_inference"));
    long deviceNanos = TimeUnit.MICROSECONDS.toNanos(longParameter(def, "device_us_per_inference"));
    long maxInstances = longParameter(def, "max_instances");
    AtomicInteger made = new AtomicInteger();
    return model(
        def,
        placement -> {
          if (maxInstances > 0 && made.incrementAndGet() > maxInstances) {
            throw new IllegalStateException("injected fault: no more than " + maxInstances);
          }
          INSTANCES_OPENED.incrementAndGet();
          return new Instance(placement, def, delayNanos, leakBytes, cpuNanos, deviceNanos);
        });
  }

  private static long longParameter(ModelDefinition def, String key) throws BackendException {
    String v = def.parameters().getOrDefault(key, "0");
    try {
      // A large model file stands in for real weights and holds no settings.
      if (Files.size(def.modelFile()) <= 65536) {
        for (String line : Files.readAllLines(def.modelFile(), StandardCharsets.ISO_8859_1)) {
          if (line.startsWith(key + "=")) {
            v = line.substring(key.length() + 1);
          }
        }
      }
    } catch (IOException e) {
      throw new BackendException("cannot read " + def.modelFile().getFileName());
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new BackendException("parameter " + key + " is not a number: " + v);
    }
  }

  private static final class Instance implements ModelInstance {
    private final InstancePlacement placement;
    private final ModelDefinition def;
    private final long delayNanos;
    private final int leakBytes;
    private final long cpuNanosPerInference;
    private final long deviceNanosPerInference;

    Instance(
        InstancePlacement placement,
        ModelDefinition def,
        long delayNanos,
        int leakBytes,
        long cpuNanosPerInference,
        long deviceNanosPerInference) {
      this.placement = placement;
      this.def = def;
      this.delayNanos = delayNanos;
      this.leakBytes = leakBytes;
      this.cpuNanosPerInference = cpuNanosPerInference;
      this.deviceNanosPerInference = deviceNanosPerInference;
    }

    @Override
    public InstancePlacement placement() {
      return placement;
    }

    @Override
    public ExecutionResult execute(Batch batch) throws BackendException {
      long start = System.nanoTime();
      Tensor in = batch.inputs().get(0);
      int first = in.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (first == THROW) {
        throw new BackendException("injected fault: batch of " + batch.size() + " failed");
      }
      if (first == HANG) {
        hang();
        throw new BackendException("hung execution released");
      }
      if (delayNanos > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(delayNanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BackendException("interrupted");
        }
      }
      burnCpu(cpuNanosPerInference * batch.size());
      for (int i = 0; leakBytes > 0 && i < batch.size(); i++) {
        LEAKED.add(new byte[leakBytes]);
      }
      List<Tensor> outs = new ArrayList<>();
      String name = def.outputs().get(0).name();
      if (batch.requestedOutputs().contains(name)) {
        ByteBuffer copy = ByteBuffer.allocate(in.byteSize());
        copy.put(in.data().duplicate()).flip();
        outs.add(new Tensor(name, in.dataType(), in.shape().clone(), copy));
      }
      long end = System.nanoTime();
      return new ExecutionResult(
          outs,
          new ExecutionTimestamps(start, start, end, end),
          deviceNanosPerInference * batch.size());
    }

    /** Spins until this thread used {@code nanos} more CPU time. */
    private static void burnCpu(long nanos) {
      if (nanos <= 0) {
        return;
      }
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long until = threads.getCurrentThreadCpuTime() + nanos;
      long x = 0;
      while (threads.getCurrentThreadCpuTime() < until) {
        for (int i = 0; i < 1000; i++) {
          x += i * 31L ^ x;
        }
      }
      if (x == 42) {
        System.out.print(""); // keeps the loop from being optimized away
      }
    }

    private static void hang() {
      HUNG.incrementAndGet();
      CountDownLatch release = hangRelease;
      boolean interrupted = false;
      try {
        while (true) {
          try {
            release.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // a stuck native call does not notice interrupts either
          }
        }
      } finally {
        HUNG.decrementAndGet();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void close() {
      INSTANCES_CLOSED.incrementAndGet();
    }
  }
}
