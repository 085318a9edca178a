package io.tensorgate.batching.benchmarks;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.BatchListener;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.ResponseListener;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.batching.SchedulerConfig;
import io.tensorgate.batching.Schedulers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The scheduler's own cost per request: submit, ring, batch formation, hand-off to the instance
 * worker, input assembly, a no-op execution, output slicing and the listener call, for batches of
 * 1, 8 and 32 requests.
 *
 * <p>Each invocation submits one batch worth of requests (reused between invocations, so that only
 * the scheduler's allocations show) and waits, parked, until all were answered; the preferred batch
 * size equals the batch size. The batcher is work-conserving, so the first request of a burst may
 * leave alone (the idle instance takes it at once) and the rest follow as one batch; batches are
 * therefore of up to, not exactly, that size. Scores are per request
 * ({@code @OperationsPerInvocation}). Run with {@code -prof gc} for allocation per request ({@code
 * gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PublishToAnswerBenchmark {
  private static final int WIDTH = 16;

  @Benchmark
  @OperationsPerInvocation(1)
  public int batchOf1(Batch1 rig) {
    return rig.roundTrip();
  }

  @Benchmark
  @OperationsPerInvocation(8)
  public int batchOf8(Batch8 rig) {
    return rig.roundTrip();
  }

  @Benchmark
  @OperationsPerInvocation(32)
  public int batchOf32(Batch32 rig) {
    return rig.roundTrip();
  }

  /** A scheduler whose batches are exactly {@code batchSize} requests, and those requests. */
  public abstract static class Rig {
    private final int batchSize;
    private final AtomicInteger answered = new AtomicInteger();
    private Scheduler scheduler;
    private InferenceRequest[] requests;
    private volatile Thread waiter;
    private volatile int target;

    Rig(int batchSize) {
      this.batchSize = batchSize;
    }

    @Setup(Level.Trial)
    public void start() {
      SchedulerConfig config =
          SchedulerConfig.builder("bench:1")
              .maxBatchSize(batchSize)
              .dynamicBatching(true)
              .preferredBatchSizes(batchSize)
              .maxQueueDelayMicros(1_000_000)
              .build();
      scheduler =
          Schedulers.create(config, List.of(new NoOpInstance(batchSize)), BatchListener.NONE);
      ResponseListener listener =
          new ResponseListener() {
            @Override
            public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
              answeredOne();
            }

            @Override
            public void onFailure(InferenceRequest request, InferenceError error) {
              throw new IllegalStateException(error.message());
            }
          };
      requests = new InferenceRequest[batchSize];
      for (int i = 0; i < batchSize; i++) {
        ByteBuffer data =
            ByteBuffer.allocateDirect(WIDTH * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        requests[i] =
            InferenceRequest.builder()
                .id(Integer.toString(i))
                .inputs(List.of(new Tensor("IN", DataType.FP32, new long[] {1, WIDTH}, data)))
                .requestedOutputs(List.of("OUT"))
                .listener(listener)
                .build();
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      scheduler.close();
    }

    private void answeredOne() {
      if (answered.incrementAndGet() == target) {
        LockSupport.unpark(waiter);
      }
    }

    /** Submits the batch's requests and parks until every one was answered. */
    int roundTrip() {
      waiter = Thread.currentThread();
      int goal = answered.get() + requests.length;
      target = goal;
      for (InferenceRequest r : requests) {
        if (scheduler.submit(r) != null) {
          throw new IllegalStateException("refused");
        }
      }
      while (answered.get() < goal) {
        LockSupport.park(this);
      }
      return goal;
    }
  }

  /** Batches of one request. */
  @State(Scope.Benchmark)
  public static class Batch1 extends Rig {
    public Batch1() {
      super(1);
    }
  }

  /** Batches of eight requests. */
  @State(Scope.Benchmark)
  public static class Batch8 extends Rig {
    public Batch8() {
      super(8);
    }
  }

  /** Batches of 32 requests. */
  @State(Scope.Benchmark)
  public static class Batch32 extends Rig {
    public Batch32() {
      super(32);
    }
  }

  /** Answers every batch with a preallocated output of the batch's size, instantly. */
  private static final class NoOpInstance implements ModelInstance {
    private final ExecutionResult[] results;

    NoOpInstance(int maxBatchSize) {
      results = new ExecutionResult[maxBatchSize + 1];
      for (int n = 1; n <= maxBatchSize; n++) {
        ByteBuffer out = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Tensor tensor = new Tensor("OUT", DataType.FP32, new long[] {n, 1}, out);
        results[n] = new ExecutionResult(List.of(tensor), new ExecutionTimestamps(0, 0, 0, 0));
      }
    }

    @Override
    public InstancePlacement placement() {
      return InstancePlacement.cpu("noop");
    }

    @Override
    public ExecutionResult execute(Batch batch) {
      return results[batch.size()];
    }

    @Override
    public void close() {}
  }
}
