package io.tensorgate.server.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs are read and outputs written with positional I/O on the registered object, never through a
 * mapping, and registered regions hold no file descriptor (issue 11, items 2 and 7).
 */
class SharedMemoryIoTest {
  @TempDir Path shmRoot;
  SharedMemoryRegistry registry;
  Path object;

  @BeforeEach
  void setUp() throws Exception {
    object = shmRoot.resolve("obj");
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    Files.write(object, bytes);
    registry = new SharedMemoryRegistry(shmRoot);
  }

  private static void assertCode(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void shouldHoldNoFileDescriptorWhenRegionsAreRegistered() throws Exception {
    long before = openDescriptors();
    for (int i = 0; i < 200; i++) {
      registry.register("r" + i, "/obj", i, 8);
    }
    // 200 registrations used to keep 200 descriptors open; a few may come and go meanwhile.
    assertThat(openDescriptors() - before).isLessThan(10);
  }

  @Test
  void shouldRefuseWithResourceExhaustedWhenTheRegionCapIsReached() throws Exception {
    for (int i = 0; i < SharedMemoryRegistry.MAX_REGIONS; i++) {
      registry.register("r" + i, "/obj", 0, 8);
    }

    assertCode(
        () -> registry.register("one-more", "/obj", 0, 8),
        ErrorCode.RESOURCE_EXHAUSTED,
        "at most 4096 regions may be registered");
    registry.unregister("r0");
    registry.register("one-more", "/obj", 0, 8);
  }

  @Test
  void shouldReadACopyInDirectMemoryWhenInputComesFromARegion() throws Exception {
    registry.register("r", "/obj", 16, 64);
    ByteBuffer in = registry.read("r", 4, 8);
    assertThat(in.isDirect()).isTrue();
    assertThat(in.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(in.remaining()).isEqualTo(8);
    assertThat(in.get(0)).isEqualTo((byte) 20);
    // A copy: later changes to the object do not reach a request that already read it.
    try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
      f.seek(20);
      f.write(99);
    }
    assertThat(in.get(0)).isEqualTo((byte) 20);
  }

  @Test
  void shouldRefuseReadWhenObjectWasTruncatedBelowTheRange() throws Exception {
    registry.register("r", "/obj", 0, 256);
    try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
      f.setLength(0);
    }
    assertCode(() -> registry.read("r", 0, 64), ErrorCode.INVALID_ARGUMENT, "no longer fits");
  }

  @Test
  void shouldRefuseUseWhenObjectWasReplacedAfterRegistration() throws Exception {
    registry.register("r", "/obj", 0, 64);
    // Made before the old one goes, so it cannot reuse its inode number.
    Path replacement = Files.write(shmRoot.resolve("new"), new byte[256]);
    Files.move(replacement, object, StandardCopyOption.REPLACE_EXISTING);
    assertCode(() -> registry.read("r", 0, 8), ErrorCode.INVALID_ARGUMENT, "register it again");
  }

  @Test
  void shouldRefuseUseWhenObjectWasRemovedAfterRegistration() throws Exception {
    registry.register("r", "/obj", 0, 64);
    Files.delete(object);
    assertCode(() -> registry.read("r", 0, 8), ErrorCode.INVALID_ARGUMENT, "removed or replaced");
  }

  @Test
  void shouldWriteAtTheRegionsOffsetWhenOutputGoesToARegion() throws Exception {
    registry.register("r", "/obj", 100, 50);
    registry.write("r", 10, ByteBuffer.wrap(new byte[] {-1, -2, -3}));
    byte[] now = Files.readAllBytes(object);
    assertThat(now[109]).isEqualTo((byte) 109);
    assertThat(now[110]).isEqualTo((byte) -1);
    assertThat(now[112]).isEqualTo((byte) -3);
    assertThat(now[113]).isEqualTo((byte) 113);
    assertThat(now).hasSize(256);
  }

  @Test
  void shouldRefuseWriteWhenObjectWasTruncatedBelowTheRange() throws Exception {
    registry.register("r", "/obj", 0, 256);
    try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
      f.setLength(8);
    }
    assertCode(
        () -> registry.write("r", 0, ByteBuffer.allocate(16)),
        ErrorCode.INVALID_ARGUMENT,
        "no longer fits");
    assertThat(Files.size(object)).isEqualTo(8);
  }

  @Test
  void shouldRefuseWritePastTheRegion() throws Exception {
    registry.register("r", "/obj", 0, 16);
    assertCode(
        () -> registry.write("r", 8, ByteBuffer.allocate(16)),
        ErrorCode.INVALID_ARGUMENT,
        "Invalid offset + byte size");
  }
}
