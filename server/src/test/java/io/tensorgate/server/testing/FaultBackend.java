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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 *   <li>{@code max_instances}: instances past this many (of one load) fail to be created, so that
 *       the replacement of a hung instance fails.
 * </ul>
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
    long maxInstances = longParameter(def, "max_instances");
    AtomicInteger made = new AtomicInteger();
    return model(
        def,
        placement -> {
          if (maxInstances > 0 && made.incrementAndGet() > maxInstances) {
            throw new IllegalStateException("injected fault: no more than " + maxInstances);
          }
          INSTANCES_OPENED.incrementAndGet();
          return new Instance(placement, def, delayNanos, leakBytes);
        });
  }

  private static long longParameter(ModelDefinition def, String key) throws BackendException {
    String v = def.parameters().getOrDefault(key, "0");
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

    Instance(InstancePlacement placement, ModelDefinition def, long delayNanos, int leakBytes) {
      this.placement = placement;
      this.def = def;
      this.delayNanos = delayNanos;
      this.leakBytes = leakBytes;
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
      return new ExecutionResult(outs, new ExecutionTimestamps(start, start, end, end));
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
