package io.tensorgate.server.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Triton's trace settings, global and per model: {@code trace_level} (OFF, TIMESTAMPS, TENSORS),
 * {@code trace_rate} (trace every N-th request) and {@code trace_count} (traces left to collect, -1
 * for no limit).
 *
 * <p>As in Triton, the first update of a model copies the global values of the settings it does not
 * name; a setting cleared on a model afterwards follows the global one again.
 *
 * <p>Thread-safe. Updates are serialized on this object and publish an immutable snapshot; {@link
 * #sample} runs on request threads and only reads the snapshot and bumps atomic counters.
 */
public final class TraceSettings {
  /** How much of a request a trace shows. */
  public enum Level {
    OFF,
    TIMESTAMPS,
    TENSORS
  }

  /** One scope's values; {@code null} fields (models only) follow the global setting. */
  record Values(Level level, Integer rate, Integer count) {}

  /** One scope's settings and its sampling state. */
  static final class Scope {
    final Values values;
    final AtomicLong requests = new AtomicLong();
    final AtomicInteger remaining;

    Scope(Values values) {
      this.values = values;
      this.remaining = values.count() == null ? null : new AtomicInteger(values.count());
    }
  }

  private volatile Scope global;
  private volatile Map<String, Scope> models = Map.of();

  /** Starts with the given global settings (Triton's defaults: OFF, rate 1000, count -1). */
  public TraceSettings(Level level, int rate, int count) {
    validateRate(rate);
    validateCount(count);
    this.global = new Scope(new Values(Objects.requireNonNull(level, "level"), rate, count));
  }

  static void validateRate(int rate) {
    if (rate < 1) {
      throw new IllegalArgumentException("trace rate must be at least 1, got " + rate);
    }
  }

  static void validateCount(int count) {
    if (count < -1) {
      throw new IllegalArgumentException("trace count must be -1 or more, got " + count);
    }
  }

  /**
   * Decides whether to trace one request of a model; counts it toward the rate and, when traced,
   * against the remaining count. Called once per answered request.
   *
   * @return the level to trace at, or {@link Level#OFF}
   */
  public Level sample(String model) {
    Scope g = global;
    Scope m = models.get(model);
    Scope own = m == null ? g : m;
    Level level = own.values.level() != null ? own.values.level() : g.values.level();
    if (level == Level.OFF) {
      return Level.OFF;
    }
    int rate = own.values.rate() != null ? own.values.rate() : g.values.rate();
    if (own.requests.incrementAndGet() % rate != 0) {
      return Level.OFF;
    }
    AtomicInteger remaining = own.remaining != null ? own.remaining : g.remaining;
    return take(remaining) ? level : Level.OFF;
  }

  private static boolean take(AtomicInteger remaining) {
    while (true) {
      int left = remaining.get();
      if (left < 0) {
        return true;
      }
      if (left == 0) {
        return false;
      }
      if (remaining.compareAndSet(left, left - 1)) {
        return true;
      }
    }
  }

  /** The effective values for a model ({@code null}: the global ones). */
  Values effective(String model) {
    Scope g = global;
    Values gv = new Values(g.values.level(), g.values.rate(), g.remaining.get());
    Scope m = model == null ? null : models.get(model);
    if (m == null) {
      return gv;
    }
    return new Values(
        m.values.level() != null ? m.values.level() : gv.level(),
        m.values.rate() != null ? m.values.rate() : gv.rate(),
        m.remaining != null ? m.remaining.get() : gv.count());
  }

  /**
   * Applies a change.
   *
   * @param model the model, or {@code null} for the global settings
   * @param change one entry per named setting: a value to set, or {@link Change#clear()} to reset
   *     it (to the global value for a model, to Triton's default globally)
   */
  synchronized void update(String model, Map<String, Change<?>> change) {
    if (model == null) {
      Values cur = effective(null);
      Values next =
          new Values(
              pick(change.get("trace_level"), cur.level(), Level.OFF, Level.class),
              pick(change.get("trace_rate"), cur.rate(), 1000, Integer.class),
              pick(change.get("trace_count"), cur.count(), -1, Integer.class));
      global = new Scope(next);
      return;
    }
    Scope existing = models.get(model);
    Values cur;
    if (existing == null) {
      // Triton: a model's first update copies the global values it does not name.
      cur = effective(null);
    } else {
      cur =
          new Values(
              existing.values.level(),
              existing.values.rate(),
              existing.remaining == null ? null : existing.remaining.get());
    }
    Values next =
        new Values(
            pick(change.get("trace_level"), cur.level(), null, Level.class),
            pick(change.get("trace_rate"), cur.rate(), null, Integer.class),
            pick(change.get("trace_count"), cur.count(), null, Integer.class));
    Map<String, Scope> copy = new HashMap<>(models);
    copy.put(model, new Scope(next));
    models = Map.copyOf(copy);
  }

  private static <T> T pick(Change<?> change, T current, T cleared, Class<T> type) {
    if (change == null) {
      return current;
    }
    return change.value() == null ? cleared : type.cast(change.value());
  }

  /** A new value for one setting, or {@code null} to clear it. */
  record Change<T>(T value) {
    static <T> Change<T> clear() {
      return new Change<>(null);
    }
  }
}
