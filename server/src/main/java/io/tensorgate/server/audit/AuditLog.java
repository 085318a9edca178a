package io.tensorgate.server.audit;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tensorgate.server.payload.RotatingFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: the last {@value #KEPT} entries in memory (for ListAuditEntries) and, with a
 * file, every entry as a JSON line in a size-rotated file (mode 600). {@link #record} never waits:
 * it offers the line to a bounded queue that one writer thread drains; {@link AuditEntry#durable}
 * lines are forced to disk (fsync) before the next is written. A full queue or a failed write loses
 * the line from the file (it stays in memory), counts it in {@code
 * tensorgate_audit_write_failures_total{reason}} and says so in the log, at most once every 10 s.
 */
public final class AuditLog implements AuditTrail, MeterBinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /** Entries kept in memory. */
  static final int KEPT = 1000;

  static final String QUEUE_FULL = "queue_full";
  static final String IO_ERROR = "io_error";

  private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** A line waiting for the writer. */
  private record Pending(String line, boolean durable) {}

  private final RotatingFile file;
  private final ArrayBlockingQueue<Pending> queue;
  private final Thread writer;
  private final LongSupplier nanoClock;
  private final LongAdder recorded = new LongAdder();
  private final LongAdder queueFull = new LongAdder();
  private final LongAdder ioErrors = new LongAdder();
  private final LongAdder written = new LongAdder();

  @GuardedBy("this")
  private final ArrayDeque<AuditEntry> kept = new ArrayDeque<>(KEPT);

  @GuardedBy("this")
  private long lastReportNanos;

  private volatile boolean closing;

  /** Entries in memory only. */
  public AuditLog() {
    this.file = null;
    this.queue = null;
    this.writer = null;
    this.nanoClock = System::nanoTime;
  }

  /**
   * Entries in memory and appended to {@code path}, rotated at {@code maxFileBytes} keeping {@code
   * maxFiles} files. Nothing is opened before the first entry; an unwritable path shows as write
   * failures, never as a failed start.
   */
  public AuditLog(Path path, long maxFileBytes, int maxFiles, int queueCapacity) {
    Path abs = path.toAbsolutePath();
    this.file =
        new RotatingFile(
            abs.getParent(), abs.getFileName().toString(), maxFileBytes, maxFiles, true);
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.nanoClock = System::nanoTime;
    this.writer = new Thread(this::run, "tensorgate-audit-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("tensorgate.audit.entries", recorded, LongAdder::sum)
        .description("Audit entries recorded (state-changing calls and rollout decisions)")
        .register(registry);
    failures(registry, QUEUE_FULL, queueFull);
    failures(registry, IO_ERROR, ioErrors);
  }

  private static void failures(MeterRegistry registry, String reason, LongAdder count) {
    FunctionCounter.builder("tensorgate.audit.write.failures", count, LongAdder::sum)
        .description("Audit lines that could not be written to --audit-log")
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public void record(AuditEntry entry) {
    Objects.requireNonNull(entry, "entry");
    recorded.increment();
    synchronized (this) {
      if (kept.size() == KEPT) {
        kept.removeFirst();
      }
      kept.addLast(entry);
    }
    if (queue == null) {
      return;
    }
    if (closing || !queue.offer(new Pending(entry.json(), entry.durable()))) {
      queueFull.increment();
      report(QUEUE_FULL, "the write queue is full", null);
    }
  }

  @Override
  public synchronized List<AuditEntry> recent(String model, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    Iterator<AuditEntry> it = kept.descendingIterator();
    while (it.hasNext() && (limit <= 0 || out.size() < limit)) {
      AuditEntry e = it.next();
      if (model.isEmpty() || model.equals(e.model())) {
        out.add(e);
      }
    }
    Collections.reverse(out);
    return out;
  }

  /** Lines written to the file so far. */
  long written() {
    return written.sum();
  }

  /** Failed lines so far, by reason. */
  long failures(String reason) {
    return reason.equals(QUEUE_FULL) ? queueFull.sum() : ioErrors.sum();
  }

  private void run() {
    while (!closing || !queue.isEmpty()) {
      Pending p;
      try {
        p = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        if (closing) {
          continue;
        }
        Thread.currentThread().interrupt();
        return;
      }
      if (p == null) {
        continue;
      }
      try {
        file.append(p.line());
        if (p.durable()) {
          file.sync();
        } else if (queue.isEmpty()) {
          file.flush();
        }
        written.increment();
      } catch (IOException | RuntimeException e) {
        ioErrors.increment();
        report(IO_ERROR, "cannot write " + file.current(), e);
      }
    }
    try {
      file.sync();
      file.close();
    } catch (IOException e) {
      log.warn("closing the audit log failed: {}", e.toString());
    }
  }

  private void report(String reason, String what, Exception e) {
    long now = nanoClock.getAsLong();
    synchronized (this) {
      if (lastReportNanos != 0 && now - lastReportNanos < REPORT_EVERY_NANOS) {
        return;
      }
      lastReportNanos = now;
    }
    log.error(
        "audit log: {} ({}); audit lines are being lost, see"
            + " tensorgate_audit_write_failures_total{reason=\"{}\"}",
        what,
        e == null ? "" : e.toString(),
        reason);
  }

  /** Writes what is queued, forces it to disk and stops the writer (waits at most 10 s). */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    closing = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
