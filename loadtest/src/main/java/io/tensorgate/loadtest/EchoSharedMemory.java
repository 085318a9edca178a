package io.tensorgate.loadtest;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The echo server's system shared-memory regions: each registered region maps [offset, offset +
 * byte_size) of the file {@code <dir>/<key without its leading '/'>}. Thread-safe; regions are read
 * and written by concurrent ModelInfer calls, each on its own byte range.
 */
final class EchoSharedMemory {

  private record Region(String key, long offset, long byteSize, MappedByteBuffer memory) {}

  private final Path directory;
  private final Map<String, Region> regions = new ConcurrentHashMap<>();

  EchoSharedMemory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  void register(String name, String key, long offset, long byteSize) {
    if (name.isEmpty() || !key.startsWith("/") || key.indexOf('/', 1) >= 0) {
      throw Status.INVALID_ARGUMENT
          .withDescription("invalid shared memory region name '" + name + "' or key '" + key + "'")
          .asRuntimeException();
    }
    MappedByteBuffer memory;
    try (FileChannel channel =
        FileChannel.open(
            directory.resolve(key.substring(1)),
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      memory = channel.map(FileChannel.MapMode.READ_WRITE, offset, byteSize);
    } catch (IOException | RuntimeException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Unable to open shared memory region: '" + key + "': " + e.getMessage())
          .asRuntimeException();
    }
    if (regions.putIfAbsent(name, new Region(key, offset, byteSize, memory)) != null) {
      throw Status.ALREADY_EXISTS
          .withDescription("shared memory region '" + name + "' already in manager")
          .asRuntimeException();
    }
  }

  /** Unregisters one region, or every region when {@code name} is empty. */
  void unregister(String name) {
    if (name.isEmpty()) {
      regions.clear();
    } else {
      regions.remove(name);
    }
  }

  SystemSharedMemoryStatusResponse status(String name) {
    SystemSharedMemoryStatusResponse.Builder response =
        SystemSharedMemoryStatusResponse.newBuilder();
    regions.forEach(
        (regionName, region) -> {
          if (name.isEmpty() || name.equals(regionName)) {
            response.putRegions(
                regionName,
                SystemSharedMemoryStatusResponse.RegionStatus.newBuilder()
                    .setName(regionName)
                    .setKey(region.key())
                    .setOffset(region.offset())
                    .setByteSize(region.byteSize())
                    .build());
          }
        });
    return response.build();
  }

  /** Copies {@code size} bytes at {@code offset} of a region. */
  ByteString read(String name, long offset, long size) {
    ByteBuffer slice = slice(name, offset, size);
    return ByteString.copyFrom(slice);
  }

  /** Writes bytes at {@code offset} of a region. */
  void write(String name, long offset, ByteString bytes) {
    bytes.copyTo(slice(name, offset, bytes.size()));
  }

  private ByteBuffer slice(String name, long offset, long size) {
    Region region = regions.get(name);
    if (region == null) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Unable to find system shared memory region: '" + name + "'")
          .asRuntimeException();
    }
    if (offset < 0 || size < 0 || offset + size > region.byteSize()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Invalid offset + byte size for shared memory region: '" + name + "'")
          .asRuntimeException();
    }
    return region.memory().slice((int) offset, (int) size);
  }
}
