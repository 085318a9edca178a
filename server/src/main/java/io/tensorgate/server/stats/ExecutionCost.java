package io.tensorgate.server.stats;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What one model version's executions cost: CPU time of the instance threads inside the backend,
 * device (GPU) time the backend reported, and the inferences they served, in total and over a
 * sliding window (ten buckets of a tenth of the window, reset as the clock passes them).
 *
 * <p>CPU and device time count for every execution, failed ones included (the time was spent);
 * inferences count for successful ones, so the cost of an inference includes what failures wasted.
 * Recorded once per execution by the instance worker threads; thread-safe.
 */
public final class ExecutionCost {
  /** The window cost per inference is computed over unless told otherwise. */
  public static final long DEFAULT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

  private static final int BUCKETS = 10;

  /** What the window holds. */
  public record Window(long cpuNanos, long deviceNanos, long inferences) {}

  private final LongSupplier nanoClock;
  private final long bucketNanos;
  private final LongAdder cpuNanos = new LongAdder();
  private final LongAdder deviceNanos = new LongAdder();
  private final LongAdder inferences = new LongAdder();

  @GuardedBy("this")
  private final long[] epoch = new long[BUCKETS];

  @GuardedBy("this")
  private final long[] cpu = new long[BUCKETS];

  @GuardedBy("this")
  private final long[] device = new long[BUCKETS];

  @GuardedBy("this")
  private final long[] count = new long[BUCKETS];

  public ExecutionCost() {
    this(System::nanoTime, DEFAULT_WINDOW_NANOS);
  }

  public ExecutionCost(LongSupplier nanoClock, long windowNanos) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    Arrays.fill(epoch, Long.MIN_VALUE);
  }

  /** One execution: its batch size, whether it succeeded, and its CPU and device time. */
  public void record(int batchSize, boolean success, long cpu, long device) {
    long served = success ? batchSize : 0;
    cpuNanos.add(cpu);
    deviceNanos.add(device);
    inferences.add(served);
    long e = nanoClock.getAsLong() / bucketNanos;
    int i = (int) Math.floorMod(e, (long) BUCKETS);
    synchronized (this) {
      if (epoch[i] != e) {
        epoch[i] = e;
        this.cpu[i] = 0;
        this.device[i] = 0;
        count[i] = 0;
      }
      this.cpu[i] += cpu;
      this.device[i] += device;
      count[i] += served;
    }
  }

  /** CPU nanoseconds of every execution so far. */
  public long cpuNanos() {
    return cpuNanos.sum();
  }

  /** Device nanoseconds of every execution so far. */
  public long deviceNanos() {
    return deviceNanos.sum();
  }

  /** Inferences served so far (a batch of N counts N). */
  public long inferences() {
    return inferences.sum();
  }

  /** What the last window holds, to within a tenth of it. */
  public synchronized Window window() {
    long e = nanoClock.getAsLong() / bucketNanos;
    long c = 0;
    long d = 0;
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (epoch[i] > e - BUCKETS && epoch[i] <= e) {
        c += cpu[i];
        d += device[i];
        n += count[i];
      }
    }
    return new Window(c, d, n);
  }
}
