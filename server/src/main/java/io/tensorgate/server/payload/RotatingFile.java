package io.tensorgate.server.payload;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Appends lines to {@code <dir>/<name>} and rotates by size: when a line would take the file past
 * {@code maxBytes}, {@code name.1 .. name.(keep-1)} shift up one, the oldest is deleted, and the
 * current file becomes {@code name.1}. At most {@code keep} files, each at most {@code maxBytes} (a
 * single longer line gets a file of its own).
 *
 * <p>Not thread-safe: owned by one writer thread (payload log, audit log).
 */
public final class RotatingFile implements AutoCloseable {
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path dir;
  private final String name;
  private final long maxBytes;
  private final int keep;
  private final boolean ownerOnly;
  private FileChannel channel;
  private OutputStream out;
  private long size;

  public RotatingFile(Path dir, String name, long maxBytes, int keep) {
    this(dir, name, maxBytes, keep, false);
  }

  /**
   * @param ownerOnly create new files readable and writable by their owner only (mode 600)
   */
  public RotatingFile(Path dir, String name, long maxBytes, int keep, boolean ownerOnly) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.name = Objects.requireNonNull(name, "name");
    if (maxBytes < 1 || keep < 1) {
      throw new IllegalArgumentException("maxBytes and keep must be positive");
    }
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.ownerOnly = ownerOnly;
  }

  public Path current() {
    return dir.resolve(name);
  }

  /**
   * Appends one line (a newline is added). On failure the file is closed and reopened next time.
   */
  public void append(String line) throws IOException {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (out == null) {
        open();
      }
      if (size > 0 && size + bytes.length > maxBytes) {
        rotate();
      }
      out.write(bytes);
      size += bytes.length;
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      throw e instanceof IOException io ? io : new IOException(e);
    }
  }

  public void flush() throws IOException {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        closeQuietly();
        throw e;
      }
    }
  }

  /** Flushes and forces the appended lines to the storage device (fsync of the data). */
  public void sync() throws IOException {
    flush();
    if (channel != null) {
      try {
        channel.force(false);
      } catch (IOException e) {
        closeQuietly();
        throw e;
      }
    }
  }

  private void open() throws IOException {
    Files.createDirectories(dir);
    Path p = current();
    Set<StandardOpenOption> opts =
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    channel =
        ownerOnly && !Files.exists(p)
            ? FileChannel.open(p, opts, OWNER_ONLY)
            : FileChannel.open(p, opts);
    out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 << 10);
    size = channel.size();
  }

  private void rotate() throws IOException {
    out.close();
    out = null;
    channel = null;
    if (keep == 1) {
      Files.delete(current());
    } else {
      Files.deleteIfExists(dir.resolve(name + "." + (keep - 1)));
      for (int i = keep - 2; i >= 1; i--) {
        Path from = dir.resolve(name + "." + i);
        if (Files.exists(from)) {
          Files.move(from, dir.resolve(name + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(current(), dir.resolve(name + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
    open();
  }

  private void closeQuietly() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // Already failing; the caller reports the first error.
      }
      out = null;
      channel = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      OutputStream o = out;
      out = null;
      channel = null;
      o.close();
    }
  }
}
