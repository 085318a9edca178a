package io.tensorgate.server.logging;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults caused by clients (malformed messages, HTTP/2 protocol errors, refused connections):
 * counted per kind for {@code tensorgate_client_faults_total{kind}}, logged one line each at debug,
 * and summarised at info at most once per {@link #SUMMARY_PERIOD_SECONDS} seconds per kind, with no
 * stack trace. A flood of bad requests therefore costs a few log lines a minute, not one stack
 * trace per request. Thread-safe and lock-free; called from transport threads.
 */
public final class ClientFaults {
  /** Kinds of client fault, with the metric's label value. */
  public enum Kind {
    MALFORMED_MESSAGE("malformed_message", "malformed request messages"),
    STREAM_ERROR("stream_error", "HTTP/2 stream errors"),
    CONNECTION_ERROR("connection_error", "connections failed by client protocol errors"),
    CONNECTION_REFUSED("connection_refused", "connections refused over a limit"),
    RESET_FLOOD("reset_flood", "connections closed for stream resets over the server-wide budget");

    private final String label;
    private final String description;

    Kind(String label, String description) {
      this.label = label;
      this.description = description;
    }

    public String label() {
      return label;
    }
  }

  static final long SUMMARY_PERIOD_SECONDS = 10;
  private static final int MAX_DETAIL = 200;
  private static final Logger log = LoggerFactory.getLogger(ClientFaults.class);

  private final Map<Kind, Counts> counts = new EnumMap<>(Kind.class);
  private final LongSupplier nanoClock;

  public ClientFaults() {
    this(System::nanoTime);
  }

  /** With a clock for tests. */
  ClientFaults(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    for (Kind k : Kind.values()) {
      counts.put(k, new Counts());
    }
  }

  /** Records one fault; {@code detail} (one line, capped) says what the client did. */
  public void record(Kind kind, String detail) {
    Counts c = counts.get(kind);
    c.total.increment();
    c.sinceSummary.incrementAndGet();
    String line = oneLine(detail);
    if (log.isDebugEnabled()) {
      log.debug("client fault ({}): {}", kind.label, line);
    }
    long now = nanoClock.getAsLong();
    long last = c.lastSummary.get();
    boolean due =
        last == Long.MIN_VALUE || now - last >= TimeUnit.SECONDS.toNanos(SUMMARY_PERIOD_SECONDS);
    if (due && c.lastSummary.compareAndSet(last, now)) {
      long n = c.sinceSummary.getAndSet(0);
      log.info(
          "{} {} since the last report (at most one line per {} s; all are counted in"
              + " tensorgate_client_faults_total{kind=\"{}\"}); last: {}",
          n,
          kind.description,
          SUMMARY_PERIOD_SECONDS,
          kind.label,
          line);
    }
  }

  /** Faults of a kind recorded so far. */
  public long count(Kind kind) {
    return counts.get(kind).total.sum();
  }

  /** Registers {@code tensorgate_client_faults_total{kind}}. */
  public void bindTo(MeterRegistry registry) {
    for (Kind k : Kind.values()) {
      FunctionCounter.builder("tensorgate.client.faults", this, f -> f.count(k))
          .description("Faults caused by clients, by kind; logged as rate-limited one-liners")
          .tag("kind", k.label)
          .register(registry);
    }
  }

  private static String oneLine(String detail) {
    if (detail == null) {
      return "";
    }
    String s = detail.strip();
    int nl = s.indexOf('\n');
    if (nl >= 0) {
      s = s.substring(0, nl);
    }
    return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "..." : s;
  }

  /** The counters of one kind. */
  private static final class Counts {
    final LongAdder total = new LongAdder();
    final AtomicLong sinceSummary = new AtomicLong();
    final AtomicLong lastSummary = new AtomicLong(Long.MIN_VALUE);
  }
}
