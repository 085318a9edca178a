package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * System shared memory: regions registered by key, inputs read from and outputs written to them,
 * every offset and size checked.
 */
class SharedMemoryEndToEndTest {
  @TempDir static Path repo;
  @TempDir static Path shm;
  static RunningServer server;
  static MappedByteBuffer region;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    server =
        RunningServer.start(TensorgateServer.builder().modelRepository(repo).sharedMemoryRoot(shm));
    Path file = shm.resolve("tg_test_region");
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      region = ch.map(FileChannel.MapMode.READ_WRITE, 0, 256);
    }
    region.order(ByteOrder.LITTLE_ENDIAN);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void clean() {
    server
        .blocking()
        .systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest.getDefaultInstance());
  }

  private static void register(String name, String key, long offset, long size) {
    server
        .blocking()
        .systemSharedMemoryRegister(
            SystemSharedMemoryRegisterRequest.newBuilder()
                .setName(name)
                .setKey(key)
                .setOffset(offset)
                .setByteSize(size)
                .build());
  }

  private static InferParameter str(String s) {
    return InferParameter.newBuilder().setStringParam(s).build();
  }

  private static InferParameter i64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  @Test
  void shouldReadInputsFromAndWriteOutputsToSharedMemory() {
    register("io", "/tg_test_region", 0, 256);
    IntBuffer ints = region.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    for (int i = 0; i < 16; i++) {
      ints.put(i, i * 3);
      ints.put(16 + i, 2);
    }
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("io"))
                    .putParameters("shared_memory_offset", i64(0))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("io"))
                    .putParameters("shared_memory_offset", i64(64))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                    .setName("OUTPUT0")
                    .putParameters("shared_memory_region", str("io"))
                    .putParameters("shared_memory_offset", i64(128))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .build();
    ModelInferResponse r = server.blocking().modelInfer(req);
    assertThat(r.getOutputs(0).getName()).isEqualTo("OUTPUT0");
    assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 16L);
    assertThat(r.getRawOutputContents(0).isEmpty()).isTrue();
    for (int i = 0; i < 16; i++) {
      assertThat(ints.get(32 + i)).isEqualTo(i * 3 + 2);
    }
  }

  @Test
  void shouldListRegisteredRegions() {
    register("a", "/tg_test_region", 16, 32);
    var status =
        server
            .blocking()
            .systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance());
    assertThat(status.getRegionsMap()).containsOnlyKeys("a");
    assertThat(status.getRegionsMap().get("a").getOffset()).isEqualTo(16);
    assertThat(status.getRegionsMap().get("a").getByteSize()).isEqualTo(32);
    assertThat(status.getRegionsMap().get("a").getKey()).isEqualTo("/tg_test_region");
  }

  private static void assertRegisterFails(
      String name, String key, long offset, long size, Status.Code code, String msg) {
    assertThatThrownBy(() -> register(name, key, offset, size))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(msg);
            });
  }

  @Test
  void shouldRefuseRegionsOutsideTheObject() {
    assertRegisterFails(
        "r", "/tg_test_region", 200, 100, Status.Code.INVALID_ARGUMENT, "invalid args");
    assertRegisterFails(
        "r", "/tg_test_region", -1, 8, Status.Code.INVALID_ARGUMENT, "invalid args");
    assertRegisterFails(
        "r",
        "/tg_test_region",
        Long.MAX_VALUE,
        Long.MAX_VALUE,
        Status.Code.INVALID_ARGUMENT,
        "Integer overflow");
  }

  @Test
  void shouldRefuseKeysThatLeaveTheSharedMemoryFolder() {
    assertRegisterFails("r", "/../etc/passwd", 0, 8, Status.Code.INVALID_ARGUMENT, "invalid key");
    assertRegisterFails("r", "/a/b", 0, 8, Status.Code.INVALID_ARGUMENT, "invalid key");
    assertRegisterFails("r", "/..", 0, 8, Status.Code.INVALID_ARGUMENT, "invalid key");
    assertRegisterFails(
        "r", "/missing", 0, 8, Status.Code.NOT_FOUND, "Unable to open shared memory region");
  }

  @Test
  void shouldRefuseSymbolicLinkKeys() throws Exception {
    Path link = shm.resolve("tg_link");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, repo.resolve("simple/config.pbtxt"));
    assertRegisterFails(
        "r", "/tg_link", 0, 8, Status.Code.INVALID_ARGUMENT, "Invalid shared memory region");
  }

  @Test
  void shouldRefuseDuplicateNames() {
    register("dup", "/tg_test_region", 0, 8);
    assertRegisterFails(
        "dup", "/tg_test_region", 0, 8, Status.Code.ALREADY_EXISTS, "already in manager");
  }

  @Test
  void shouldRefuseInputRangesOutsideTheRegion() {
    register("small", "/tg_test_region", 0, 64);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("small"))
                    .putParameters("shared_memory_offset", i64(32))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("small"))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .build();
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("Invalid offset + byte size for shared memory region: 'small'");
            });
  }

  @Test
  void shouldRefuseAWrongByteSizeBeforeReadingTheRegion() throws Exception {
    Path file = shm.resolve("tg_size_first");
    Files.write(file, new byte[256]);
    register("sized", "/tg_size_first", 0, 256);
    // Empty now: reading the region would be refused as too short. The size is refused first.
    Files.write(file, new byte[0]);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("sized"))
                    .putParameters("shared_memory_byte_size", i64(256)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("sized"))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .build();
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("input byte size mismatch for input 'INPUT0'")
                  .contains("Expected 64, got 256");
            });
  }

  @Test
  void shouldRefuseInputsFromAnObjectTruncatedUnderItsRegion() throws Exception {
    Path file = shm.resolve("tg_truncated");
    Files.write(file, new byte[256]);
    register("cut", "/tg_truncated", 0, 256);
    Files.write(file, new byte[100]);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("cut"))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("cut"))
                    .putParameters("shared_memory_offset", i64(64))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .build();
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "shared memory region 'cut' no longer fits its object '/tg_truncated': the"
                          + " object is 100 bytes, the region needs 128");
            });
  }

  @Test
  void shouldRefuseUnknownRegionInRequest() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("ghost"))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("ghost"))
                    .putParameters("shared_memory_byte_size", i64(64)))
            .build();
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("Unable to find shared memory region: 'ghost'"));
  }

  @Test
  void shouldRequireByteSizeWithRegion() {
    register("io2", "/tg_test_region", 0, 256);
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("io2")))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .putParameters("shared_memory_region", str("io2")))
            .build();
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "'shared_memory_byte_size' must be specified along with 'shared_memory_region'"
                            + " parameter for tensor 'INPUT0'"));
  }

  @Test
  void shouldForgetRegionsWhenUnregistered() {
    register("gone", "/tg_test_region", 0, 8);
    server
        .blocking()
        .systemSharedMemoryUnregister(
            SystemSharedMemoryUnregisterRequest.newBuilder().setName("gone").build());
    assertThatThrownBy(
            () ->
                server
                    .blocking()
                    .systemSharedMemoryStatus(
                        SystemSharedMemoryStatusRequest.newBuilder().setName("gone").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }
}
