package io.tensorgate.server.stats;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What one model version's executions cost: CPU time of its instance worker threads, device (GPU)
 * time the backend reported, and the inferences they served, in total and over a sliding window.
 *
 * <p>CPU time is read from the workers' thread clocks ({@link #addCpuSource}) when someone asks,
 * not measured around each execution: a thread CPU clock read costs about half a microsecond, a few
 * per cent of a small model's execution. It covers what the workers do for a batch (executing,
 * assembling inputs, cutting outputs), not threads the backend runs itself. Device time and
 * inferences are added once per execution. CPU and device time count for every execution, failed
 * ones included (the time was spent); inferences for successful ones, so the cost of an inference
 * includes what failures wasted.
 *
 * <p>The window: the totals are remembered once in each tenth of the window (when created, or when
 * an execution, after adding itself, or a read first sees that tenth), and the window is what the
 * totals grew since the oldest such mark inside it: exact to within a tenth of the window, and an
 * execution counts its CPU time and its inferences in the same windows. Thread-safe.
 */
public final class ExecutionCost {
  /** The window cost per inference is computed over unless told otherwise. */
  public static final long DEFAULT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

  private static final int MARKS = 10;

  /** What the window holds. */
  public record Window(long cpuNanos, long deviceNanos, long inferences) {}

  private final LongSupplier nanoClock;
  private final long markNanos;
  private final List<LongSupplier> cpuSources = new CopyOnWriteArrayList<>();
  private final LongAdder deviceNanos = new LongAdder();
  private final LongAdder inferences = new LongAdder();
  // The tenth of the window the newest mark belongs to; read without the lock to skip it.
  private volatile long markedEpoch = Long.MIN_VALUE;

  @GuardedBy("this")
  private final long[] epoch = new long[MARKS];

  @GuardedBy("this")
  private final long[] cpuAt = new long[MARKS];

  @GuardedBy("this")
  private final long[] deviceAt = new long[MARKS];

  @GuardedBy("this")
  private final long[] inferencesAt = new long[MARKS];

  public ExecutionCost() {
    this(System::nanoTime, DEFAULT_WINDOW_NANOS);
  }

  public ExecutionCost(LongSupplier nanoClock, long windowNanos) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.markNanos = Math.max(1, windowNanos / MARKS);
    Arrays.fill(epoch, Long.MIN_VALUE);
    mark(nanoClock.getAsLong() / markNanos);
  }

  /**
   * Counts the CPU time {@code source} reports (nanoseconds so far, never decreasing) as this
   * version's, on top of the sources added before: a reloaded version keeps counting what its
   * earlier schedulers used.
   */
  public void addCpuSource(LongSupplier source) {
    cpuSources.add(Objects.requireNonNull(source, "source"));
  }

  /** One execution: its batch size, whether it succeeded, and the device time it reported. */
  public void record(int batchSize, boolean success, long device) {
    if (success) {
      inferences.add(batchSize);
    }
    if (device != 0) {
      deviceNanos.add(device);
    }
    long e = nanoClock.getAsLong() / markNanos;
    if (e != markedEpoch) {
      mark(e);
    }
  }

  /** CPU nanoseconds the version's instance threads used so far. */
  public long cpuNanos() {
    long sum = 0;
    for (LongSupplier s : cpuSources) {
      sum += s.getAsLong();
    }
    return sum;
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
    long e = nanoClock.getAsLong() / markNanos;
    mark(e);
    int oldest = -1;
    for (int i = 0; i < MARKS; i++) {
      if (epoch[i] > e - MARKS && epoch[i] <= e && (oldest < 0 || epoch[i] < epoch[oldest])) {
        oldest = i;
      }
    }
    return new Window(
        cpuNanos() - cpuAt[oldest],
        deviceNanos() - deviceAt[oldest],
        inferences() - inferencesAt[oldest]);
  }

  /** Remembers the totals at the start of tenth {@code e}, unless already done. */
  private synchronized void mark(long e) {
    int i = (int) Math.floorMod(e, (long) MARKS);
    if (epoch[i] == e) {
      return;
    }
    epoch[i] = e;
    cpuAt[i] = cpuNanos();
    deviceAt[i] = deviceNanos();
    inferencesAt[i] = inferences();
    markedEpoch = Math.max(markedEpoch, e);
  }
}
