package io.tensorgate.backend.tensorrt;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.tensorgate.backend.BackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engines deserialized by one provider, shared: while anyone holds a {@link Lease} on it, an
 * engine exists once per (plan file, modification time, size, device), so a reload of an unchanged
 * version, a second model on the same plan and every instance share it. It is released (engine,
 * then runtime) when its last lease closes. {@link #inspect} parks its engine for the load that
 * usually follows; at most one engine waits parked, until it is claimed or another is parked.
 *
 * <p>Threading: thread-safe. Different engines deserialize in parallel; callers of one that is
 * being deserialized wait for it.
 */
final class EngineCache {
  private final CudaRuntime cuda;
  private final TensorRt tensorRt;
  private final Object lock = new Object();

  @GuardedBy("lock")
  private final Map<Key, Entry> entries = new HashMap<>();

  // The lease inspect() keeps, or null.
  @GuardedBy("lock")
  private Lease parked;

  EngineCache(CudaRuntime cuda, TensorRt tensorRt) {
    this.cuda = Objects.requireNonNull(cuda, "cuda");
    this.tensorRt = Objects.requireNonNull(tensorRt, "tensorRt");
  }

  /** What an engine is deserialized from. */
  record Key(Path file, FileTime modified, long size, int device) {}

  private static final class Entry {
    final Key key;
    final CountDownLatch ready = new CountDownLatch(1);
    // Written by the creating thread before ready opens; read by others after.
    TrtEngine engine;
    BackendException failure;

    // Error Prone cannot name the cache's lock from a static nested class: the methods that count
    // leases under it suppress its GuardedBy check.
    @GuardedBy("EngineCache.this.lock")
    int leases;

    Entry(Key key) {
      this.key = key;
    }
  }

  /**
   * A hold on a shared engine; the engine is released when the last hold closes. Closing twice does
   * nothing.
   */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lease(Entry entry) {
      this.entry = entry;
    }

    TrtEngine engine() {
      return entry.engine;
    }

    /** Another hold on the same engine, e.g. for an instance. */
    @SuppressWarnings("GuardedBy") // entry.leases under lock, see Entry
    Lease share() {
      synchronized (lock) {
        if (closed.get()) {
          throw new IllegalStateException("the lease is closed");
        }
        entry.leases++;
      }
      return new Lease(entry);
    }

    @Override
    @SuppressWarnings("GuardedBy") // entry.leases under lock, see Entry
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      boolean last;
      synchronized (lock) {
        last = --entry.leases == 0;
        if (last) {
          entries.remove(entry.key, entry);
        }
      }
      if (last) {
        entry.engine.release();
      }
    }
  }

  /**
   * The engine deserialized from {@code file} on {@code device}: the shared one when it exists.
   *
   * @throws BackendException when the file cannot be read or TensorRT refuses it
   */
  @SuppressWarnings("GuardedBy") // entry.leases under lock, see Entry
  Lease acquire(Path file, int device) throws BackendException {
    Key key = key(file, device);
    Entry entry;
    boolean create;
    synchronized (lock) {
      entry = entries.get(key);
      create = entry == null;
      if (create) {
        entry = new Entry(key);
        entries.put(key, entry);
      }
      entry.leases++;
    }
    if (create) {
      try {
        byte[] plan = read(file);
        entry.engine =
            TrtEngine.deserialize(cuda, tensorRt, plan, file.getFileName().toString(), device);
      } catch (BackendException | RuntimeException e) {
        synchronized (lock) {
          entries.remove(key, entry);
        }
        entry.failure =
            e instanceof BackendException b ? b : new BackendException(String.valueOf(e), e);
        entry.ready.countDown();
        throw e;
      }
      entry.ready.countDown();
    } else {
      awaitCreation(entry);
    }
    Lease lease = new Lease(entry);
    claimParked(key);
    return lease;
  }

  /**
   * The description of the engine in {@code file} on GPU 0. The engine stays parked for a load of
   * the same file, releasing the one parked before.
   */
  EngineDescription inspect(Path file) throws BackendException {
    Lease lease = acquire(file, 0);
    Lease previous;
    synchronized (lock) {
      previous = parked;
      parked = lease;
    }
    if (previous != null) {
      previous.close();
    }
    return lease.engine().description();
  }

  /** How many engines exist now, parked included. */
  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  private void claimParked(Key key) {
    Lease claimed = null;
    synchronized (lock) {
      if (parked != null && parked.entry.key.equals(key)) {
        claimed = parked;
        parked = null;
      }
    }
    if (claimed != null) {
      claimed.close();
    }
  }

  private static void awaitCreation(Entry entry) throws BackendException {
    boolean interrupted = false;
    while (true) {
      try {
        entry.ready.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the creating thread always opens the latch; keep waiting for it
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (entry.failure != null) {
      throw new BackendException(entry.failure.getMessage(), entry.failure);
    }
  }

  private static Key key(Path file, int device) throws BackendException {
    Path absolute = file.toAbsolutePath().normalize();
    try {
      BasicFileAttributes a = Files.readAttributes(absolute, BasicFileAttributes.class);
      return new Key(absolute, a.lastModifiedTime(), a.size(), device);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static byte[] read(Path file) throws BackendException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static BackendException unreadable(Path file, IOException e) {
    return new BackendException(
        "cannot read TensorRT engine " + file.getFileName() + ": " + IoErrors.words(e), e);
  }
}
