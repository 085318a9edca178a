package io.tensorgate.server.shm;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Positional reads and writes on the POSIX shared-memory object behind a registered region, each
 * through a descriptor opened for that one use and closed right after.
 *
 * <p>Nothing is mapped: a client that truncates its object under a request makes the read or the
 * size check come up short, which is refused with INVALID_ARGUMENT, where a mapping would have
 * faulted (SIGBUS) in whatever touched the vanished page, native code included. A registered region
 * holds no descriptor, so registrations cannot use up the open-file limit. Objects are opened for
 * reading and writing without following links (opening a FIFO that way never blocks), and only
 * while they are still the file that was registered, as far as its file key (device and inode)
 * tells: an object removed and made again may reuse the inode and is then used as the same one.
 * Stateless and thread-safe.
 */
final class ObjectIo {
  // A heap source is written in slices of at most this: the JDK stages each write from the heap
  // through a temporary direct buffer that it caches per thread at the largest size seen.
  private static final int WRITE_SLICE_BYTES = 1 << 20;

  private ObjectIo() {}

  /** The identity of the object at {@code file}, or null when it is not a regular file. */
  static Object identity(Path file) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      return null;
    }
    return a.fileKey() != null ? a.fileKey() : file;
  }

  /**
   * Reads {@code length} bytes at {@code position} of the region's object into a new direct,
   * little-endian buffer, which the request then owns (a lone request passes it to the backend
   * without another copy).
   */
  static ByteBuffer read(Registration r, long position, int length) throws InferenceException {
    ByteBuffer dst = allocate(r, length);
    try (FileChannel ch = open(r)) {
      requireCovers(r, ch.size(), position + length);
      while (dst.hasRemaining()) {
        if (ch.read(dst, position + dst.position()) <= 0) {
          break;
        }
      }
    } catch (IOException e) {
      throw ioFailure(r, e);
    }
    if (dst.hasRemaining()) {
      // Truncated between the size check and the read.
      throw shrunk(r, position + dst.position(), position + length);
    }
    return dst.flip();
  }

  /** Writes all of {@code src} at {@code position} of the region's object. */
  static void write(Registration r, long position, ByteBuffer src) throws InferenceException {
    ByteBuffer data = src.duplicate();
    try (FileChannel ch = open(r)) {
      requireCovers(r, ch.size(), position + data.remaining());
      long at = position;
      while (data.hasRemaining()) {
        ByteBuffer slice = data.slice();
        if (!data.isDirect() && slice.remaining() > WRITE_SLICE_BYTES) {
          slice.limit(WRITE_SLICE_BYTES);
        }
        int n = ch.write(slice, at);
        at += n;
        data.position(data.position() + n);
      }
    } catch (IOException e) {
      throw ioFailure(r, e);
    }
  }

  private static ByteBuffer allocate(Registration r, int length) throws InferenceException {
    try {
      return ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
    } catch (OutOfMemoryError e) {
      // Direct memory is a separate, bounded pool: running out of it refuses one request.
      throw new InferenceException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "not enough memory to read "
              + length
              + " bytes from shared memory region '"
              + r.region().name()
              + "'");
    }
  }

  private static FileChannel open(Registration r) throws IOException, InferenceException {
    Object now;
    try {
      now = identity(r.file());
    } catch (NoSuchFileException e) {
      now = null;
    }
    if (now == null || !now.equals(r.identity())) {
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT,
          "shared memory region '"
              + r.region().name()
              + "': its object '"
              + r.region().key()
              + "' was removed or replaced since it was registered; register it again");
    }
    return FileChannel.open(
        r.file(), StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  private static void requireCovers(Registration r, long size, long end) throws InferenceException {
    if (size < end) {
      throw shrunk(r, size, end);
    }
  }

  private static InferenceException shrunk(Registration r, long size, long end) {
    return new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "shared memory region '"
            + r.region().name()
            + "' no longer fits its object '"
            + r.region().key()
            + "': the object is "
            + size
            + " bytes, the region needs "
            + end);
  }

  private static InferenceException ioFailure(Registration r, IOException e) {
    if (e instanceof ClosedByInterruptException) {
      return new InferenceException(
          ErrorCode.UNAVAILABLE,
          "shared memory region '" + r.region().name() + "' was not accessed: server stopping");
    }
    return new InferenceException(
        ErrorCode.INVALID_ARGUMENT,
        "Unable to access shared memory region '"
            + r.region().name()
            + "' (object '"
            + r.region().key()
            + "')");
  }

  /** A registered region and the object it was registered on. */
  record Registration(SharedMemoryRegistry.Region region, Path file, Object identity) {
    Registration {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(identity, "identity");
    }
  }
}
