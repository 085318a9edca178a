package io.tensorgate.server.shm;

import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * System shared-memory regions registered by clients (Triton's system_shared_memory extension):
 * POSIX shared-memory objects, i.e. files in {@code /dev/shm}, mapped once at registration.
 *
 * <p>Keys name one object directly under the shared-memory folder and are opened without following
 * links; offsets and sizes are checked for overflow and bounds on registration and again on every
 * use. Thread-safe.
 */
public final class SharedMemoryRegistry {
  /** The most regions registered at once. */
  public static final int MAX_REGIONS = 4096;

  /** One registered region. */
  public record Region(String name, String key, long offset, long byteSize, ByteBuffer mapping) {}

  private final Path shmRoot;
  private final Map<String, Region> regions = new ConcurrentHashMap<>();
  // The object of each region, kept open to see on every use whether it shrank under the mapping.
  private final Map<String, FileChannel> objects = new ConcurrentHashMap<>();
  private final CudaRegions cuda;

  /**
   * A registry without CUDA shared memory (its RPCs answer UNIMPLEMENTED).
   *
   * @param shmRoot the folder POSIX shared-memory objects live in, {@code /dev/shm} on Linux
   */
  public SharedMemoryRegistry(Path shmRoot) {
    this(shmRoot, Optional.empty());
  }

  /**
   * @param shmRoot the folder POSIX shared-memory objects live in, {@code /dev/shm} on Linux
   * @param cuda CUDA IPC access from a backend that links CUDA, or empty
   */
  public SharedMemoryRegistry(Path shmRoot, Optional<CudaSharedMemory> cuda) {
    this.shmRoot = Objects.requireNonNull(shmRoot, "shmRoot");
    this.cuda = new CudaRegions(Objects.requireNonNull(cuda, "cuda"), this, regions::containsKey);
  }

  /** The CUDA regions, which share this registry's names. */
  public CudaRegions cuda() {
    return cuda;
  }

  /**
   * Maps {@code [offset, offset + byteSize)} of the object named by {@code key}.
   *
   * @throws InferenceException ALREADY_EXISTS for a taken name, INVALID_ARGUMENT for a bad key or
   *     range, NOT_FOUND when the object does not exist
   */
  public synchronized void register(String name, String key, long offset, long byteSize)
      throws InferenceException {
    if (name.isEmpty()) {
      throw invalid("failed to register shared memory region: a region name is required");
    }
    if (regions.containsKey(name) || cuda.contains(name)) {
      throw new InferenceException(
          ErrorCode.ALREADY_EXISTS, "shared memory region '" + name + "' already in manager");
    }
    if (regions.size() >= MAX_REGIONS) {
      throw new InferenceException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "failed to register shared memory region '"
              + name
              + "': at most "
              + MAX_REGIONS
              + " regions may be registered");
    }
    Path file = objectPath(key, name);
    // uint64 on the wire: a negative long is a value above 2^63.
    if (offset < 0 || byteSize <= 0) {
      throw invalid("failed to register shared memory region '" + name + "': invalid args");
    }
    long end;
    try {
      end = Math.addExact(offset, byteSize);
    } catch (ArithmeticException e) {
      throw invalid(
          "Integer overflow detected: byte_size ("
              + Long.toUnsignedString(byteSize)
              + ") + offset ("
              + Long.toUnsignedString(offset)
              + ") exceeds maximum value for"
              + " region '"
              + name
              + "'");
    }
    if (byteSize > Integer.MAX_VALUE) {
      throw invalid(
          "failed to register shared memory region '"
              + name
              + "': regions larger than 2 GiB - 1 are not supported");
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to open shared memory region: '" + key + "'");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw invalid("Invalid shared memory region: '" + key + "'");
    }
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      if (end > ch.size()) {
        closeQuietly(ch);
        throw invalid("failed to register shared memory region '" + name + "': invalid args");
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, offset, byteSize);
      objects.put(name, ch);
      regions.put(name, new Region(name, key, offset, byteSize, map));
    } catch (IOException e) {
      closeQuietly(ch);
      throw new InferenceException(
          ErrorCode.INVALID_ARGUMENT, "Unable to open shared memory region: '" + key + "'");
    }
  }

  private Path objectPath(String key, String name) throws InferenceException {
    String object = key.startsWith("/") ? key.substring(1) : key;
    if (object.isEmpty()
        || object.length() > 255
        || object.contains("/")
        || object.equals(".")
        || object.equals("..")
        || object.indexOf('\0') >= 0) {
      throw invalid(
          "failed to register shared memory region '"
              + name
              + "': invalid key '"
              + key
              + "'; a key names one shared-memory object, e.g. '/input_data'");
    }
    return shmRoot.resolve(object);
  }

  /**
   * Removes a region, or every region when {@code name} is empty. Unknown names are not an error
   * (Triton answers success). The mapping is released when no request uses it any more.
   */
  public synchronized void unregister(String name) {
    if (name.isEmpty()) {
      regions.clear();
      objects.values().forEach(SharedMemoryRegistry::closeQuietly);
      objects.clear();
    } else {
      regions.remove(name);
      closeQuietly(objects.remove(name));
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch == null) {
      return;
    }
    try {
      // The mapping outlives the channel: requests holding slices still read valid memory.
      ch.close();
    } catch (IOException e) {
      // Nothing to release beyond the descriptor.
    }
  }

  /**
   * Refuses a use of a region whose object was truncated below it after registration: touching a
   * mapped page past the end of its file faults (SIGBUS), so the size is checked on every use. A
   * client that truncates between this check and the read can still fault the read; only clients
   * allowed to register regions can do that (guard the shared-memory group with a token).
   */
  private void requireObjectCovers(Region r, long end) throws InferenceException {
    FileChannel ch = objects.get(r.name());
    long size;
    try {
      size = ch == null ? -1 : ch.size();
    } catch (IOException e) {
      // Closed by a concurrent unregister.
      size = -1;
    }
    if (size < 0) {
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to find shared memory region: '" + r.name() + "'");
    }
    if (size < r.offset() + end) {
      throw invalid(
          "shared memory region '"
              + r.name()
              + "' no longer fits its object '"
              + r.key()
              + "': the object is "
              + size
              + " bytes, the region needs "
              + (r.offset() + end));
    }
  }

  /**
   * The registered regions, or the one named.
   *
   * @throws InferenceException NOT_FOUND when a named region is not registered
   */
  public Map<String, Region> status(String name) throws InferenceException {
    if (name.isEmpty()) {
      return new TreeMap<>(regions);
    }
    Region r = regions.get(name);
    if (r == null) {
      if (cuda.contains(name)) {
        throw new InferenceException(
            ErrorCode.NOT_FOUND,
            "The region named '"
                + name
                + "' is registered as CUDA shared memory, not system shared memory");
      }
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to find system shared memory region: '" + name + "'");
    }
    return Map.of(name, r);
  }

  /**
   * A little-endian view of {@code byteSize} bytes at {@code offset} inside a region, for an input
   * to read or an output to write. Checked against the region on every call.
   */
  public ByteBuffer slice(String name, long offset, long byteSize) throws InferenceException {
    Region r = regions.get(name);
    if (r == null) {
      if (cuda.contains(name)) {
        throw CudaRegions.inferenceUnsupported(name);
      }
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to find shared memory region: '" + name + "'");
    }
    if (offset < 0 || offset > r.byteSize()) {
      throw invalid("Invalid offset for shared memory region: '" + name + "'");
    }
    if (byteSize < 0) {
      throw invalid("Invalid offset + byte size for shared memory region: '" + name + "'");
    }
    long end;
    try {
      end = Math.addExact(offset, byteSize);
    } catch (ArithmeticException e) {
      throw invalid(
          "Integer overflow detected: byte_size ("
              + byteSize
              + ") + offset ("
              + offset
              + ") exceeds maximum value for region '"
              + name
              + "'");
    }
    if (end > r.byteSize()) {
      throw invalid("Invalid offset + byte size for shared memory region: '" + name + "'");
    }
    requireObjectCovers(r, end);
    return r.mapping()
        .duplicate()
        .position((int) offset)
        .limit((int) end)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
