package io.tensorgate.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load plans of one invocation: ghz's single run, or Tensorgate's sweep ({@code
 * --concurrency-range}, {@code --rps-range}), one run per level. Applies ghz's rules: {@code -z}
 * makes {@code -n} unlimited, {@code -x} caps a run that still counts {@code -n}, connections may
 * not exceed the concurrency, and {@code --skipFirst} may not exceed the total.
 */
final class GhzLevels {

  /** One level: its name in reports and its plan. */
  record Level(String mode, double value, LoadPlan plan) {}

  private GhzLevels() {}

  static List<Level> of(GhzOptions ghz, ModelOptions options) {
    if (options.concurrencyRange == null
        && ghz.concurrencySchedule.equalsIgnoreCase("const")
        && ghz.concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + ghz.concurrency);
    }
    // A concurrency sweep's low levels simply leave some connections idle.
    if (options.concurrencyRange == null && ghz.connections > ghz.concurrency) {
      throw new IllegalArgumentException(
          "number of connections cannot be greater than concurrency");
    }
    if (options.concurrencyRange != null && options.rpsRange != null) {
      throw new IllegalArgumentException("give --concurrency-range or --rps-range, not both");
    }
    StepSchedule loads = loadSchedule(ghz);
    List<Level> levels = new ArrayList<>();
    if (options.concurrencyRange != null) {
      if (ghz.rps > 0 || loads != null) {
        throw new IllegalArgumentException("--concurrency-range sweeps a closed loop: drop --rps");
      }
      for (int c : Ranges.integers(options.concurrencyRange)) {
        levels.add(new Level(LevelResult.CONCURRENCY, c, plan(ghz, options, c, 0, null)));
      }
    } else if (options.rpsRange != null) {
      if (loads != null) {
        throw new IllegalArgumentException("--rps-range and --load-schedule do not combine");
      }
      for (double rate : Ranges.doubles(options.rpsRange)) {
        levels.add(
            new Level(LevelResult.RATE, rate, plan(ghz, options, ghz.concurrency, rate, null)));
      }
    } else {
      LoadPlan plan = plan(ghz, options, ghz.concurrency, ghz.rps, loads);
      levels.add(
          plan.paced()
              ? new Level(LevelResult.RATE, ghz.rps, plan)
              : new Level(LevelResult.CONCURRENCY, plan.workersAt(0), plan));
    }
    return levels;
  }

  /** In-flight slots the levels need: the largest level's; -1 when one is unbounded. */
  static int slots(List<Level> levels) {
    int slots = 0;
    for (Level level : levels) {
      int max = level.plan().maxInFlight();
      if (max < 0) {
        return -1;
      }
      slots = Math.max(slots, max);
    }
    return slots;
  }

  private static LoadPlan plan(
      GhzOptions ghz, ModelOptions options, int concurrency, double rps, StepSchedule loads) {
    boolean byDuration = !ghz.duration.isZero() && ghz.maxDuration.isZero();
    long total = byDuration ? Long.MAX_VALUE : ghz.total;
    Duration duration = ghz.maxDuration.isZero() ? ghz.duration : ghz.maxDuration;
    if (ghz.skipFirst > 0 && total != Long.MAX_VALUE && ghz.skipFirst > total) {
      throw new IllegalArgumentException("you cannot skip more requests than those run");
    }
    return new LoadPlan(
        concurrency,
        concurrencySchedule(ghz),
        rps,
        loads,
        ghz.async,
        options.maxOutstanding,
        total,
        duration,
        durationStop(ghz.durationStop),
        options.warmup,
        GhzRun.drainTimeout(ghz.timeout));
  }

  /** ghz reads an unknown {@code --duration-stop} as "close". */
  private static LoadPlan.DurationStop durationStop(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "wait" -> LoadPlan.DurationStop.WAIT;
      case "ignore" -> LoadPlan.DurationStop.IGNORE;
      default -> LoadPlan.DurationStop.CLOSE;
    };
  }

  private static StepSchedule loadSchedule(GhzOptions ghz) {
    String kind = ghz.loadSchedule.toLowerCase(Locale.ROOT);
    if (kind.equals("const")) {
      return null;
    }
    if (ghz.loadStart <= 0) {
      throw new IllegalArgumentException("--load-schedule " + kind + " needs --load-start > 0");
    }
    return schedule(
        kind,
        "load",
        ghz.loadStart,
        ghz.loadStep,
        ghz.loadEnd,
        ghz.loadStepDuration,
        ghz.loadMaxDuration);
  }

  private static StepSchedule concurrencySchedule(GhzOptions ghz) {
    String kind = ghz.concurrencySchedule.toLowerCase(Locale.ROOT);
    if (kind.equals("const")) {
      return null;
    }
    return schedule(
        kind,
        "concurrency",
        ghz.concurrencyStart,
        ghz.concurrencyStep,
        ghz.concurrencyEnd,
        ghz.concurrencyStepDuration,
        ghz.concurrencyMaxDuration);
  }

  private static StepSchedule schedule(
      String kind,
      String what,
      long start,
      long step,
      long end,
      Duration stepDuration,
      Duration maxDuration) {
    return switch (kind) {
      case "step" -> new StepSchedule(start, step, end, stepDuration, maxDuration);
      case "line" -> StepSchedule.line(start, step, end, maxDuration);
      default ->
          throw new IllegalArgumentException(
              "--" + what + "-schedule must be const, step or line, got '" + kind + "'");
    };
  }
}
