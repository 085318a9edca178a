package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Collects the outcomes of one run (one level of a sweep). Called concurrently from the event loops
 * and the pacer thread; every write is lock-free and, for a success, allocation-free
 * (HdrHistogram's {@link Recorder}, {@link LongAdder}). Calls sent before {@code windowStart} are
 * the warm-up and are not recorded; as in ghz, the first {@code skipFirst} recorded outcomes are
 * dropped too.
 */
final class LevelRecorder {

  /** Distinct error messages kept; past that, errors are counted under one key. */
  static final int MAX_ERROR_MESSAGES = 64;

  static final String SATURATED_STATUS = "ClientSaturated";

  private final long windowStart;
  private final long skipFirst;
  private final CallDetails details;
  private final Recorder okLatencies = new Recorder(3);
  private final Recorder errorLatencies = new Recorder(3);
  private final LongAdder count = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder saturated = new LongAdder();
  private final LongAdder latencySum = new LongAdder();
  private final AtomicLong skipped = new AtomicLong();
  private final LongAccumulator maxLag = new LongAccumulator(Math::max, 0);
  private final AtomicLongArray failuresByCode = new AtomicLongArray(Status.Code.values().length);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private volatile boolean frozen;

  /**
   * @param windowStart {@link System#nanoTime()} from which sent calls count
   * @param skipFirst recorded outcomes to drop first (ghz's {@code --skipFirst})
   * @param details where per-call details go, or null to keep none
   */
  LevelRecorder(long windowStart, long skipFirst, CallDetails details) {
    this.windowStart = windowStart;
    this.skipFirst = skipFirst;
    this.details = details;
  }

  long windowStart() {
    return windowStart;
  }

  /** Records an answered call; its latency runs from {@code startNanos}. */
  void record(long startNanos, long endNanos, Status status) {
    if (startNanos < windowStart || frozen || skip()) {
      return;
    }
    long latency = Math.max(0, endNanos - startNanos);
    count.increment();
    latencySum.add(latency);
    String error = null;
    if (status.isOk()) {
      ok.increment();
      okLatencies.recordValue(latency);
    } else {
      failuresByCode.incrementAndGet(status.getCode().value());
      errorLatencies.recordValue(latency);
      error = errorMessage(status);
      error(error);
    }
    if (details != null) {
      details.add(endNanos, latency, status.getCode().value(), error);
    }
  }

  private boolean skip() {
    return skipFirst > 0 && skipped.get() < skipFirst && skipped.incrementAndGet() <= skipFirst;
  }

  /** Records a call the open loop could not send at its intended time. */
  void recordSaturated(long intendedNanos, int maxOutstanding) {
    if (intendedNanos < windowStart || frozen) {
      return;
    }
    count.increment();
    saturated.increment();
    error("client saturated: " + maxOutstanding + " calls outstanding (--max-outstanding)");
  }

  /** Notes how late the pacer sent a call. */
  void recordLag(long intendedNanos, long lagNanos) {
    if (intendedNanos >= windowStart) {
      maxLag.accumulate(lagNanos);
    }
  }

  /** From now on nothing is recorded (ghz's {@code --duration-stop ignore}). */
  void freeze() {
    frozen = true;
  }

  /** Outcomes recorded so far; for the progress line. */
  long count() {
    return count.sum();
  }

  /** Failures recorded so far; for the progress line. */
  long errors() {
    return count.sum() - ok.sum();
  }

  private void error(String message) {
    String key =
        errors.size() < MAX_ERROR_MESSAGES || errors.containsKey(message)
            ? message
            : "(other errors)";
    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** The run's result; call once the run is over. */
  LevelResult finish(
      String mode,
      double level,
      int batchSize,
      long totalNanos,
      String endReason,
      ServerStats serverStats) {
    Map<String, Long> statuses = new TreeMap<>();
    long okCount = ok.sum();
    if (okCount > 0) {
      statuses.put(statusName(Status.Code.OK), okCount);
    }
    for (Status.Code code : Status.Code.values()) {
      long failures = failuresByCode.get(code.value());
      if (failures > 0) {
        statuses.put(statusName(code), failures);
      }
    }
    if (saturated.sum() > 0) {
      statuses.put(SATURATED_STATUS, saturated.sum());
    }
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((key, adder) -> errorCounts.put(key, adder.sum()));
    return new LevelResult(
        mode,
        level,
        batchSize,
        totalNanos,
        count.sum(),
        okCount,
        okLatencies.getIntervalHistogram(),
        latencySum.sum(),
        errorLatencies.getIntervalHistogram(),
        statuses,
        errorCounts,
        saturated.sum(),
        maxLag.get(),
        serverStats,
        endReason,
        details);
  }

  /** The status name as ghz (Go's codes.Code.String) writes it: "OK", "DeadlineExceeded", ... */
  static String statusName(Status.Code code) {
    if (code == Status.Code.CANCELLED) {
      return "Canceled";
    }
    if (code == Status.Code.OK) {
      return "OK";
    }
    StringBuilder name = new StringBuilder();
    for (String word : code.name().split("_")) {
      name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return name.toString();
  }

  /** The error as ghz writes it: {@code rpc error: code = Unavailable desc = ...}. */
  static String errorMessage(Status status) {
    String description = status.getDescription();
    if (description == null && status.getCause() != null) {
      description = status.getCause().toString();
    }
    return "rpc error: code = "
        + statusName(status.getCode())
        + " desc = "
        + (description == null ? "" : description);
  }
}
