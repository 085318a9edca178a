package io.tensorgate.loadtest;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One line, rewritten in place twice a second on a terminal, for runs that last over 2 s: calls,
 * calls/s, errors, elapsed against the duration (or calls against the total). Nothing is written
 * when the output is not a terminal, or during a run's first 2 s. The line is erased when the run
 * ends, so reports printed after it start on a clean line.
 */
final class ProgressLine implements AutoCloseable {

  static final long SHOW_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long EVERY_MILLIS = 500;
  private static final String ERASE = "\r\033[K";

  private final PrintWriter out;
  private final boolean terminal;
  private final LoadPlan plan;
  private final RunControl control;
  private final LevelRecorder recorder;

  @GuardedBy("this")
  private ScheduledExecutorService timer;

  @GuardedBy("this")
  private boolean shown;

  @GuardedBy("this")
  private boolean closed;

  ProgressLine(
      PrintWriter out,
      boolean terminal,
      LoadPlan plan,
      RunControl control,
      LevelRecorder recorder) {
    this.out = Objects.requireNonNull(out, "out");
    this.terminal = terminal;
    this.plan = Objects.requireNonNull(plan, "plan");
    this.control = Objects.requireNonNull(control, "control");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
  }

  /** Starts the twice-a-second updates (a daemon thread); does nothing off a terminal. */
  synchronized void start() {
    if (!terminal) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "progress");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleAtFixedRate(
        () -> tick(System.nanoTime()), EVERY_MILLIS, EVERY_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Rewrites the line for time {@code nowNanos}, once the run is over 2 s old. */
  synchronized void tick(long nowNanos) {
    if (!terminal || closed || nowNanos - control.startNanos() < SHOW_AFTER_NANOS) {
      return;
    }
    out.print(ERASE + render(nowNanos));
    out.flush();
    shown = true;
  }

  /** The line's text at {@code nowNanos}. */
  String render(long nowNanos) {
    if (nowNanos < control.windowStart()) {
      return String.format(
          Locale.ROOT,
          "[warm-up %.1fs / %.1fs]",
          (nowNanos - control.startNanos()) / 1e9,
          plan.warmup().toNanos() / 1e9);
    }
    double elapsed = (nowNanos - control.windowStart()) / 1e9;
    long count = recorder.count();
    String done =
        plan.duration().isZero()
            ? String.format(Locale.ROOT, "[%.1fs] %,d / %,d calls", elapsed, count, plan.total())
            : String.format(
                Locale.ROOT,
                "[%.1fs / %.1fs] %,d calls",
                elapsed,
                plan.duration().toNanos() / 1e9,
                count);
    return String.format(
        Locale.ROOT,
        "%s, %,.1f calls/s, %,d errors",
        done,
        elapsed > 0 ? count / elapsed : 0.0,
        recorder.errors());
  }

  /** Stops the updates and erases the line if one was written. */
  @Override
  public synchronized void close() {
    closed = true;
    if (timer != null) {
      timer.shutdownNow();
    }
    if (shown) {
      out.print(ERASE);
      out.flush();
    }
  }
}
