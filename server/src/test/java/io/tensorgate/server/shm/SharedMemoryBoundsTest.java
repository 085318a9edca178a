package io.tensorgate.server.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets and sizes of system shared memory are checked for overflow and bounds when a region is
 * registered and again on every use, including a region that disappears between the two.
 */
class SharedMemoryBoundsTest {
  @TempDir Path shmRoot;
  SharedMemoryRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    Files.write(shmRoot.resolve("obj"), new byte[256]);
    registry = new SharedMemoryRegistry(shmRoot);
  }

  private static void assertCode(ThrowingCallable call, ErrorCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private void assertRegisterInvalid(long offset, long size, String message)
      throws InferenceException {
    assertCode(
        () -> registry.register("r", "/obj", offset, size), ErrorCode.INVALID_ARGUMENT, message);
    assertThat(registry.status("")).isEmpty();
  }

  @Test
  void shouldRefuseRegistrationWhoseEndOverflows() throws Exception {
    assertRegisterInvalid(Long.MAX_VALUE, 1, "Integer overflow detected");
    assertRegisterInvalid(Long.MAX_VALUE - 10, 100, "Integer overflow detected");
  }

  @Test
  void shouldRefuseRegistrationWithOffsetOrSizeAbove2To63() throws Exception {
    // uint64 on the wire: values above 2^63 arrive as negative longs.
    assertRegisterInvalid(-1, 8, "invalid args");
    assertRegisterInvalid(0, -1, "invalid args");
    assertRegisterInvalid(0, Long.MIN_VALUE, "invalid args");
    assertRegisterInvalid(0, 0, "invalid args");
  }

  @Test
  void shouldRefuseRegistrationPastTheEndOfTheObject() throws Exception {
    assertRegisterInvalid(200, 100, "invalid args");
    assertRegisterInvalid(256, 1, "invalid args");
    assertRegisterInvalid(0, 257, "invalid args");
  }

  @Test
  void shouldRefuseRegionsLargerThanAMappingCanHold() throws Exception {
    assertRegisterInvalid(0, 1L << 31, "larger than 2 GiB");
  }

  @Test
  void shouldRefuseKeysNamingAnythingButOneObject() {
    for (String key :
        new String[] {"", "/", "/.", "/..", "/../obj", "/a/obj", "/x\0", "/" + "k".repeat(256)}) {
      assertCode(
          () -> registry.register("r", key, 0, 8), ErrorCode.INVALID_ARGUMENT, "invalid key");
    }
  }

  @Test
  void shouldRefuseUseWithOffsetAtLongMax() throws Exception {
    registry.register("r", "/obj", 0, 256);
    assertCode(
        () -> registry.checkRange("r", Long.MAX_VALUE, 8),
        ErrorCode.INVALID_ARGUMENT,
        "Invalid offset");
  }

  @Test
  void shouldRefuseUseWhoseEndOverflows() throws Exception {
    registry.register("r", "/obj", 0, 256);
    assertCode(
        () -> registry.checkRange("r", 8, Long.MAX_VALUE),
        ErrorCode.INVALID_ARGUMENT,
        "Integer overflow detected");
  }

  @Test
  void shouldRefuseUseOutsideTheRegion() throws Exception {
    registry.register("r", "/obj", 64, 128);
    assertCode(() -> registry.checkRange("r", -1, 8), ErrorCode.INVALID_ARGUMENT, "Invalid offset");
    assertCode(() -> registry.checkRange("r", 0, -8), ErrorCode.INVALID_ARGUMENT, "byte size");
    assertCode(() -> registry.checkRange("r", 120, 16), ErrorCode.INVALID_ARGUMENT, "byte size");
    assertCode(
        () -> registry.checkRange("r", 129, 0), ErrorCode.INVALID_ARGUMENT, "Invalid offset");
    assertThat(registry.read("r", 120, 8).remaining()).isEqualTo(8);
  }

  @Test
  void shouldAnswerNotFoundWhenRegionUnregisteredBetweenRegisterAndUse() throws Exception {
    registry.register("r", "/obj", 0, 256);
    ByteBuffer inFlight = registry.read("r", 0, 16);
    registry.unregister("r");
    assertCode(
        () -> registry.read("r", 0, 16), ErrorCode.NOT_FOUND, "Unable to find shared memory");
    // A request that read its input before the unregister keeps its copy.
    assertThat(inFlight.getInt(0)).isZero();
  }

  @Test
  void shouldRefuseUseOfARegionWhoseObjectWasTruncatedAfterRegistration() throws Exception {
    registry.register("r", "/obj", 64, 128);
    try (FileChannel ch = FileChannel.open(shmRoot.resolve("obj"), StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    assertCode(() -> registry.read("r", 0, 64), ErrorCode.INVALID_ARGUMENT, "no longer fits");
    assertThat(registry.read("r", 0, 36).remaining()).isEqualTo(36);
  }

  @Test
  void shouldRefuseRegionViewsOfAnotherRegionsBounds() throws Exception {
    Files.write(shmRoot.resolve("obj"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    registry.register("tail", "/obj", 4, 4);
    ByteBuffer view = registry.read("tail", 0, 4);
    assertThat(view.get(0)).isEqualTo((byte) 5);
    assertThat(view.capacity()).isEqualTo(4);
  }
}
