package io.tensorgate.loadtest;

import io.grpc.Status;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one level of load: the warm-up, the plan's sends (closed loop or on a rate), the stop, and
 * the calls still in flight, handled as ghz's {@code --duration-stop} says; reads the server's
 * statistics at the measurement's edges when asked. Levels run one after the other on the calling
 * thread; {@link #cancel()} (Ctrl-C) ends the current one and skips the rest.
 */
final class LevelRunner {

  /** What a level is, for its result. */
  record Level(String mode, double value, int batchSize) {}

  private static final Status TRANSPORT_CLOSING =
      Status.UNAVAILABLE.withDescription("transport is closing");

  private final CallTransport transport;
  private final RequestSource requests;
  private final Callable<ServerStats.Snapshot> serverStats;
  private final PrintWriter progressOut;
  private final boolean terminal;
  private volatile RunControl current;
  private volatile boolean cancelled;

  /**
   * @param serverStats reads the server's statistics, or null for none
   * @param progressOut where the progress line goes
   * @param terminal whether {@code progressOut} is a terminal (else no progress line)
   */
  LevelRunner(
      CallTransport transport,
      RequestSource requests,
      Callable<ServerStats.Snapshot> serverStats,
      PrintWriter progressOut,
      boolean terminal) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.requests = Objects.requireNonNull(requests, "requests");
    this.serverStats = serverStats;
    this.progressOut = Objects.requireNonNull(progressOut, "progressOut");
    this.terminal = terminal;
  }

  /** Ends the running level as ghz ends a run on Ctrl-C (end reason "cancel"). */
  void cancel() {
    cancelled = true;
    RunControl control = current;
    if (control != null) {
      control.stop(RunControl.CANCEL);
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  /**
   * Runs one level to its end. Blocking.
   *
   * @param skipFirst outcomes to leave out first (ghz's {@code --skipFirst})
   * @param keepDetails keep per-call details (for {@code -O csv} and {@code --details})
   */
  LevelResult run(LoadPlan plan, Level level, long skipFirst, boolean keepDetails)
      throws Exception {
    long start = System.nanoTime();
    RunControl control = new RunControl(start, plan);
    LevelRecorder recorder =
        new LevelRecorder(control.windowStart(), skipFirst, keepDetails ? new CallDetails() : null);
    current = control;
    if (cancelled) {
      control.stop(RunControl.CANCEL);
    }
    ScheduledExecutorService statsTimer = null;
    Future<ServerStats.Snapshot> before = null;
    if (serverStats != null) {
      statsTimer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "server-stats");
                thread.setDaemon(true);
                return thread;
              });
      before = statsTimer.schedule(serverStats, plan.warmup().toNanos(), TimeUnit.NANOSECONDS);
    }
    try (ProgressLine progress = new ProgressLine(progressOut, terminal, plan, control, recorder)) {
      progress.start();
      if (plan.paced()) {
        new PacedDriver(transport, requests).run(plan, control, recorder);
      } else {
        new ClosedLoopDriver(transport, requests).run(plan, control, recorder);
      }
      finishInFlight(plan, control, recorder);
    } finally {
      current = null;
    }
    long end = System.nanoTime();
    ServerStats stats = null;
    if (statsTimer != null) {
      try {
        stats = ServerStats.between(before.get(), serverStats.call());
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      } finally {
        statsTimer.shutdownNow();
      }
    }
    return recorder.finish(
        level.mode(),
        level.value(),
        level.batchSize(),
        Math.max(0, end - control.windowStart()),
        control.endReason(),
        stats);
  }

  /** The calls in flight once sending stopped: waited for, failed, or left out of the report. */
  private void finishInFlight(LoadPlan plan, RunControl control, LevelRecorder recorder)
      throws InterruptedException {
    boolean byDuration = !control.endReason().equals(RunControl.NORMAL);
    LoadPlan.DurationStop stop = byDuration ? plan.durationStop() : LoadPlan.DurationStop.WAIT;
    if (stop == LoadPlan.DurationStop.IGNORE) {
      recorder.freeze();
    }
    if (stop == LoadPlan.DurationStop.WAIT && control.awaitDrained(plan.drainTimeout())) {
      return;
    }
    transport.cancelAll(
        stop == LoadPlan.DurationStop.WAIT
            ? Status.CANCELLED.withDescription(
                "still in flight " + plan.drainTimeout().toMillis() + " ms after the run's end")
            : TRANSPORT_CLOSING);
    if (!control.awaitDrained(java.time.Duration.ofSeconds(10))) {
      throw new IllegalStateException(
          control.inFlight() + " calls never completed after being cancelled");
    }
  }
}
