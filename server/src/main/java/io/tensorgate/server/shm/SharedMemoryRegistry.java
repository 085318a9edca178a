package io.tensorgate.server.shm;

import io.tensorgate.backend.CudaSharedMemory;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * System shared-memory regions registered by clients (Triton's system_shared_memory extension):
 * ranges of POSIX shared-memory objects, i.e. files in {@code /dev/shm}.
 *
 * <p>Keys name one object directly under the shared-memory folder and are opened without following
 * links; offsets and sizes are checked for overflow and bounds on registration and again on every
 * use. Inputs are read and outputs written with positional I/O on a descriptor opened for that use
 * ({@link ObjectIo}): nothing is mapped, so no client action on its object can fault the server,
 * and a region holds no open file. Thread-safe.
 */
public final class SharedMemoryRegistry {
  /** The most regions registered at once. */
  public static final int MAX_REGIONS = 4096;

  /** One registered region. */
  public record Region(String name, String key, long offset, long byteSize) {}

  private final Path shmRoot;
  private final Map<String, ObjectIo.Registration> regions = new ConcurrentHashMap<>();
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
   * Registers {@code [offset, offset + byteSize)} of the object named by {@code key}, after
   * checking that the server can open it for reading and writing and that it is long enough.
   *
   * @throws InferenceException ALREADY_EXISTS for a taken name, INVALID_ARGUMENT for a bad key or
   *     range, NOT_FOUND when the object does not exist, RESOURCE_EXHAUSTED past {@link
   *     #MAX_REGIONS}
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
    Object identity;
    try {
      identity = ObjectIo.identity(file);
    } catch (NoSuchFileException e) {
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to open shared memory region: '" + key + "'");
    } catch (IOException e) {
      throw invalid("Unable to open shared memory region: '" + key + "'");
    }
    if (identity == null) {
      throw invalid("Invalid shared memory region: '" + key + "'");
    }
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      if (end > ch.size()) {
        throw invalid("failed to register shared memory region '" + name + "': invalid args");
      }
    } catch (IOException e) {
      throw invalid("Unable to open shared memory region: '" + key + "'");
    }
    regions.put(
        name, new ObjectIo.Registration(new Region(name, key, offset, byteSize), file, identity));
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
   * (Triton answers success). A request that already read its inputs keeps them.
   */
  public synchronized void unregister(String name) {
    if (name.isEmpty()) {
      regions.clear();
    } else {
      regions.remove(name);
    }
  }

  /**
   * The registered regions, or the one named.
   *
   * @throws InferenceException NOT_FOUND when a named region is not registered
   */
  public Map<String, Region> status(String name) throws InferenceException {
    if (name.isEmpty()) {
      Map<String, Region> all = new TreeMap<>();
      regions.forEach((n, r) -> all.put(n, r.region()));
      return all;
    }
    ObjectIo.Registration r = regions.get(name);
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
    return Map.of(name, r.region());
  }

  /**
   * Checks a use of {@code byteSize} bytes at {@code offset} inside a region, without touching its
   * object (for an output, before the request runs).
   *
   * @throws InferenceException NOT_FOUND for an unknown region, INVALID_ARGUMENT for a range
   *     outside it, UNIMPLEMENTED for a CUDA region
   */
  public void checkRange(String name, long offset, long byteSize) throws InferenceException {
    registration(name, offset, byteSize);
  }

  /**
   * Reads {@code byteSize} bytes at {@code offset} inside a region into a new little-endian direct
   * buffer owned by the caller.
   *
   * @throws InferenceException as {@link #checkRange}, and INVALID_ARGUMENT when the object no
   *     longer holds the range (truncated, removed or replaced by the client)
   */
  public ByteBuffer read(String name, long offset, long byteSize) throws InferenceException {
    ObjectIo.Registration r = registration(name, offset, byteSize);
    return ObjectIo.read(r, r.region().offset() + offset, (int) byteSize);
  }

  /**
   * Writes {@code data} (its remaining bytes) at {@code offset} inside a region.
   *
   * @throws InferenceException as {@link #read}
   */
  public void write(String name, long offset, ByteBuffer data) throws InferenceException {
    ObjectIo.Registration r = registration(name, offset, data.remaining());
    ObjectIo.write(r, r.region().offset() + offset, data);
  }

  private ObjectIo.Registration registration(String name, long offset, long byteSize)
      throws InferenceException {
    ObjectIo.Registration registered = regions.get(name);
    if (registered == null) {
      if (cuda.contains(name)) {
        throw CudaRegions.inferenceUnsupported(name);
      }
      throw new InferenceException(
          ErrorCode.NOT_FOUND, "Unable to find shared memory region: '" + name + "'");
    }
    Region r = registered.region();
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
    return registered;
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
