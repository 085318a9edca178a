package io.tensorgate.batching;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.Batch;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A controllable instance: records every batch (with copies of its inputs), echoes inputs to
 * outputs, and can hold executions on a latch or fail them.
 */
final class FakeInstance implements ModelInstance {
  /** One recorded execution. */
  record Recorded(int size, List<Tensor> inputs, List<String> requestedOutputs, String thread) {
    Tensor input(String name) {
      return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
  }

  private final String name;
  private final Map<String, String> echo;
  final List<Recorded> batches = new CopyOnWriteArrayList<>();
  final AtomicInteger executions = new AtomicInteger();

  /** Whether {@link #close} was called. */
  volatile boolean closed;

  /** Executions that returned (successfully or not). */
  final AtomicInteger completed = new AtomicInteger();

  private final Semaphore entered = new Semaphore(0);
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile Function<Batch, List<Tensor>> outputs;
  private volatile Exception failure;
  private volatile RuntimeException failureOnce;
  private volatile long cpuNanos;
  private volatile long deviceNanos;

  /**
   * @param echo output name → the input it copies
   */
  FakeInstance(String name, Map<String, String> echo) {
    this.name = name;
    this.echo = Map.copyOf(echo);
    this.outputs = this::echoOutputs;
  }

  FakeInstance(String name) {
    this(name, Map.of("OUT", "IN", "OUT2", "IN"));
  }

  /** Executions from now on wait until {@link #release}. */
  FakeInstance hold() {
    gate = new CountDownLatch(1);
    return this;
  }

  void release() {
    gate.countDown();
  }

  /** Waits until {@code n} more executions have entered {@link #execute}. */
  void awaitEntered(int n) throws InterruptedException {
    if (!entered.tryAcquire(n, Wait.BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + ": " + n + " executions did not start");
    }
  }

  void failWith(Exception e) {
    this.failure = e;
  }

  void failOnceWith(RuntimeException e) {
    this.failureOnce = e;
  }

  /** Every execution spins until its thread used {@code nanos} of CPU time. */
  FakeInstance burnCpu(long nanos) {
    this.cpuNanos = nanos;
    return this;
  }

  /** Every execution reports {@code nanos} of device time. */
  FakeInstance deviceTime(long nanos) {
    this.deviceNanos = nanos;
    return this;
  }

  void outputs(Function<Batch, List<Tensor>> f) {
    this.outputs = f;
  }

  @Override
  public InstancePlacement placement() {
    return InstancePlacement.cpu(name);
  }

  @Override
  public ExecutionResult execute(Batch batch) throws BackendException {
    try {
      return run(batch);
    } finally {
      completed.incrementAndGet();
    }
  }

  private ExecutionResult run(Batch batch) throws BackendException {
    long start = System.nanoTime();
    List<Tensor> copies = new ArrayList<>();
    for (Tensor t : batch.inputs()) {
      copies.add(copy(t.name(), t));
    }
    batches.add(
        new Recorded(
            batch.size(), copies, batch.requestedOutputs(), Thread.currentThread().getName()));
    executions.incrementAndGet();
    entered.release();
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new BackendException("test gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted");
    }
    RuntimeException once = failureOnce;
    if (once != null) {
      failureOnce = null;
      throw once;
    }
    Exception f = failure;
    if (f instanceof BackendException b) {
      throw b;
    }
    if (f instanceof RuntimeException r) {
      throw r;
    }
    spin(cpuNanos);
    long end = System.nanoTime();
    return new ExecutionResult(
        outputs.apply(batch), new ExecutionTimestamps(start, start, end, end), deviceNanos);
  }

  private static void spin(long nanos) {
    if (nanos <= 0) {
      return;
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + nanos;
    while (threads.getCurrentThreadCpuTime() < until) {
      Thread.onSpinWait();
    }
  }

  private List<Tensor> echoOutputs(Batch batch) {
    List<Tensor> out = new ArrayList<>();
    for (String output : batch.requestedOutputs()) {
      String inputName = echo.get(output);
      Tensor in =
          batch.inputs().stream()
              .filter(t -> t.name().equals(inputName))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no input for " + output));
      out.add(copy(output, in));
    }
    return out;
  }

  static Tensor copy(String name, Tensor t) {
    ByteBuffer data = ByteBuffer.allocate(t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    data.put(t.data()).flip();
    return new Tensor(name, t.dataType(), t.shape().clone(), data);
  }

  @Override
  public void close() {
    closed = true;
  }
}
