package io.tensorgate.loadtest;

import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Collects outcomes during one level. Called concurrently from gRPC threads and the open-loop
 * scheduler; all writes are lock-free (HdrHistogram's {@link Recorder}, {@link LongAdder}). Only
 * requests whose send time lies in [windowStart, windowEnd) are recorded: earlier ones are warm-up,
 * later ones are the drain.
 */
final class LevelRecorder {

  /** Distinct error messages kept; past that, errors are counted under one key. */
  static final int MAX_ERROR_MESSAGES = 64;

  static final String SATURATED_STATUS = "ClientSaturated";

  private final long windowStart;
  private final long windowEnd;
  private final Recorder okLatencies = new Recorder(3);
  private final Recorder errorLatencies = new Recorder(3);
  private final LongAdder count = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder saturated = new LongAdder();
  private final LongAdder latencySum = new LongAdder();
  private final LongAccumulator maxLag = new LongAccumulator(Math::max, 0);
  private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  LevelRecorder(long windowStart, long windowEnd) {
    if (windowEnd <= windowStart) {
      throw new IllegalArgumentException("empty measurement window");
    }
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  long windowStart() {
    return windowStart;
  }

  long windowEnd() {
    return windowEnd;
  }

  boolean inWindow(long sendNanos) {
    return sendNanos >= windowStart && sendNanos < windowEnd;
  }

  /** Records an answered request; latency is measured from {@code startNanos}. */
  void record(long startNanos, long endNanos, Status status) {
    if (!inWindow(startNanos)) {
      return;
    }
    long latency = Math.max(0, endNanos - startNanos);
    count.increment();
    latencySum.add(latency);
    statuses.computeIfAbsent(statusName(status.getCode()), k -> new LongAdder()).increment();
    if (status.isOk()) {
      ok.increment();
      okLatencies.recordValue(latency);
    } else {
      errorLatencies.recordValue(latency);
      error(errorMessage(status));
    }
  }

  /** Records a request the open loop could not send at its intended time. */
  void recordSaturated(long intendedNanos, int maxOutstanding) {
    if (!inWindow(intendedNanos)) {
      return;
    }
    count.increment();
    saturated.increment();
    statuses.computeIfAbsent(SATURATED_STATUS, k -> new LongAdder()).increment();
    error("client saturated: " + maxOutstanding + " requests outstanding (--max-outstanding)");
  }

  /** Notes how late the open-loop scheduler sent a request. */
  void recordLag(long intendedNanos, long lagNanos) {
    if (inWindow(intendedNanos)) {
      maxLag.accumulate(lagNanos);
    }
  }

  private void error(String message) {
    String key =
        errors.size() < MAX_ERROR_MESSAGES || errors.containsKey(message)
            ? message
            : "(other errors)";
    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  LevelResult finish(String mode, double level, int batchSize, ServerStats serverStats) {
    return new LevelResult(
        mode,
        level,
        batchSize,
        windowEnd - windowStart,
        count.sum(),
        ok.sum(),
        okLatencies.getIntervalHistogram(),
        latencySum.sum(),
        errorLatencies.getIntervalHistogram(),
        sums(statuses),
        sums(errors),
        saturated.sum(),
        maxLag.get(),
        serverStats);
  }

  private static Map<String, Long> sums(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((key, adder) -> out.put(key, adder.sum()));
    return out;
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
