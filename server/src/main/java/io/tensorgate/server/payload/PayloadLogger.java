package io.tensorgate.server.payload;

import com.fasterxml.jackson.core.JsonFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelParameter;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.RequestObserver;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.threads.BackgroundThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sampled request/response logging to rotating JSON-lines files ({@code payload.jsonl} in the
 * payload log folder). A model opts in with the config parameter {@code payload_log_sample_rate} (0
 * to 1) and may set {@code payload_log_max_elements} (values kept per tensor, default 64; 0 logs
 * names, types and shapes only).
 *
 * <p>The answering thread builds the line of a sampled request (the buffers are only valid then)
 * and offers it to a bounded queue; one writer thread appends. A full queue drops the line, and a
 * write error (full disk, unwritable folder) drops it too: both are counted in {@code
 * tensorgate_payload_log_dropped_total} and reported in the log, and serving never waits.
 */
public final class PayloadLogger
    implements RequestObserver, ModelRegistry.VersionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PayloadLogger.class);

  public static final String SAMPLE_RATE = "payload_log_sample_rate";
  public static final String MAX_ELEMENTS = "payload_log_max_elements";
  static final int DEFAULT_MAX_ELEMENTS = 64;
  static final String FILE_NAME = "payload.jsonl";
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** A version's logging settings. */
  private record Sampling(double rate, int maxElements) {}

  private final JsonFactory json = new JsonFactory();
  private final RotatingFile file;
  private final ArrayBlockingQueue<String> queue;
  private final Map<LoadedVersion, Sampling> versions = new ConcurrentHashMap<>();
  private final Counter written;
  private final Counter droppedFull;
  private final Counter droppedError;
  private final Thread writer;
  private volatile boolean closing;

  /**
   * Starts the writer thread. Nothing is written, and no error is raised, before the first sampled
   * request: an unwritable folder is reported when a line cannot be written.
   */
  public PayloadLogger(
      Path dir, long maxFileBytes, int maxFiles, int queueCapacity, MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    this.file = new RotatingFile(dir, FILE_NAME, maxFileBytes, maxFiles);
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.written =
        Counter.builder("tensorgate.payload.log.records")
            .description("Payload log lines written")
            .register(registry);
    this.droppedFull = dropped(registry, "queue_full");
    this.droppedError = dropped(registry, "io_error");
    Gauge.builder("tensorgate.payload.log.queue.depth", queue, ArrayBlockingQueue::size)
        .description("Payload log lines waiting to be written")
        .register(registry);
    this.writer =
        new BackgroundThreads(registry).start("tensorgate-payload-log", this::run, () -> closing);
  }

  private static Counter dropped(MeterRegistry registry, String reason) {
    return Counter.builder("tensorgate.payload.log.dropped")
        .description("Payload log lines not written: queue full or write error")
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public void onServing(LoadedVersion v) {
    Sampling s = sampling(v.config());
    if (s != null) {
      versions.put(v, s);
      log.info(
          "payload logging for model '{}' version {}: sample rate {}, {} values per tensor, to {}",
          v.name(),
          v.version(),
          s.rate(),
          s.maxElements(),
          file.current());
    }
  }

  @Override
  public void onRetired(LoadedVersion v) {
    versions.remove(v);
  }

  /** The version's settings, or {@code null} when it does not log (a bad value is reported). */
  static Sampling sampling(ModelConfig config) {
    Map<String, ModelParameter> p = config.getParametersMap();
    ModelParameter rate = p.get(SAMPLE_RATE);
    if (rate == null) {
      return null;
    }
    try {
      double r = Double.parseDouble(rate.getStringValue().trim());
      if (!(r >= 0 && r <= 1)) {
        throw new NumberFormatException("outside [0, 1]");
      }
      ModelParameter max = p.get(MAX_ELEMENTS);
      int m = max == null ? DEFAULT_MAX_ELEMENTS : Integer.parseInt(max.getStringValue().trim());
      if (m < 0) {
        throw new NumberFormatException(MAX_ELEMENTS + " must not be negative");
      }
      return r == 0 ? null : new Sampling(r, m);
    } catch (NumberFormatException e) {
      log.warn(
          "model '{}': payload logging off, bad parameter {}/{}: {}",
          config.getName(),
          SAMPLE_RATE,
          MAX_ELEMENTS,
          e.getMessage());
      return null;
    }
  }

  @Override
  public void onComplete(CompletedRequest r) {
    Sampling s = versions.get(r.version());
    if (s == null || (s.rate() < 1 && ThreadLocalRandom.current().nextDouble() >= s.rate())) {
      return;
    }
    String line = PayloadRecord.json(json, r, s.maxElements());
    if (!queue.offer(line)) {
      droppedFull.increment();
    }
  }

  private void run() {
    boolean failing = false;
    long retryAt = 0;
    while (true) {
      String line;
      try {
        line = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        line = null;
        closing = true;
      }
      if (line == null) {
        if (closing && queue.isEmpty()) {
          break;
        }
        flushQuietly();
        continue;
      }
      if (failing && System.nanoTime() < retryAt) {
        droppedError.increment();
        continue;
      }
      try {
        file.append(line);
        written.increment();
        if (failing) {
          failing = false;
          log.info("payload log writable again: {}", file.current());
        }
        if (queue.isEmpty()) {
          file.flush();
        }
      } catch (IOException e) {
        droppedError.increment();
        retryAt = System.nanoTime() + RETRY_NANOS;
        if (!failing) {
          failing = true;
          log.error(
              "payload log {} cannot be written, dropping lines until it can: {}",
              file.current(),
              e.toString());
        }
      }
    }
    try {
      file.close();
    } catch (IOException e) {
      log.warn("closing payload log {} failed: {}", file.current(), e.toString());
    }
  }

  private void flushQuietly() {
    try {
      file.flush();
    } catch (IOException e) {
      droppedError.increment();
    }
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
