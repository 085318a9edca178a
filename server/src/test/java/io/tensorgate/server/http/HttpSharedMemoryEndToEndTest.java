package io.tensorgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's shared-memory extension over HTTP, as {@code simple_http_shm_client.py} uses it:
 * register a region, infer with inputs read from it and an output written into it, list and
 * unregister.
 */
class HttpSharedMemoryEndToEndTest {
  @TempDir static Path repo;
  @TempDir static Path shm;
  static HttpCalls http;
  static MappedByteBuffer region;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    http = HttpCalls.start(TensorgateServer.builder().modelRepository(repo).sharedMemoryRoot(shm));
    try (FileChannel ch =
        FileChannel.open(
            shm.resolve("tg_http_region"),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      region = ch.map(FileChannel.MapMode.READ_WRITE, 0, 256);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  @BeforeEach
  void clean() throws Exception {
    assertThat(http.post("/v2/systemsharedmemory/unregister", "").status()).isEqualTo(200);
  }

  private static void register() throws Exception {
    HttpCalls.Answer a =
        http.post(
            "/v2/systemsharedmemory/region/io/register",
            "{\"key\":\"/tg_http_region\",\"offset\":0,\"byte_size\":256}");
    assertThat(a.status()).as(a.text()).isEqualTo(200);
  }

  @Test
  void shouldListARegionWhenItIsRegistered() throws Exception {
    register();

    JsonNode status = http.get("/v2/systemsharedmemory/status").json();

    assertThat(status.isArray()).isTrue();
    assertThat(status.get(0).path("name").asText()).isEqualTo("io");
    assertThat(status.get(0).path("key").asText()).isEqualTo("/tg_http_region");
    assertThat(status.get(0).path("byte_size").asLong()).isEqualTo(256);
  }

  @Test
  void shouldForgetARegionWhenItIsUnregistered() throws Exception {
    register();

    assertThat(http.post("/v2/systemsharedmemory/region/io/unregister", "").status())
        .isEqualTo(200);

    HttpCalls.Answer a = http.get("/v2/systemsharedmemory/region/io/status");
    assertThat(a.status()).isBetween(400, 499);
    assertThat(a.error()).isEqualTo("Unable to find system shared memory region: 'io'");
  }

  @Test
  void shouldReadInputsFromAndWriteOutputsToSharedMemory() throws Exception {
    register();
    IntBuffer ints = region.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    for (int i = 0; i < 16; i++) {
      ints.put(i, i * 3);
      ints.put(16 + i, 2);
    }
    String shmIn =
        "\"parameters\":{\"shared_memory_region\":\"io\",\"shared_memory_byte_size\":64,"
            + "\"shared_memory_offset\":";
    String body =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + shmIn
            + "0}},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + shmIn
            + "64}}],\"outputs\":[{\"name\":\"OUTPUT0\","
            + shmIn
            + "128}},{\"name\":\"OUTPUT1\"}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body);

    assertThat(a.status()).as(a.text()).isEqualTo(200);
    JsonNode out0 = a.json().path("outputs").get(0);
    assertThat(out0.path("name").asText()).isEqualTo("OUTPUT0");
    assertThat(out0.has("data")).isFalse();
    assertThat(a.json().path("outputs").get(1).path("data").get(15).asInt()).isEqualTo(43);
    for (int i = 0; i < 16; i++) {
      assertThat(ints.get(32 + i)).isEqualTo(i * 3 + 2);
    }
  }

  @Test
  void shouldAnswerBadRequestWhenAnOutputAsksForSharedMemoryAndBinary() throws Exception {
    String body =
        "{\"inputs\":[],\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{"
            + "\"shared_memory_region\":\"io\",\"shared_memory_byte_size\":64,"
            + "\"binary_data\":true}}]}";

    HttpCalls.Answer a = http.post("/v2/models/simple/infer", body);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error())
        .isEqualTo("Output can't set both 'shared_memory_region' and 'binary_data'");
  }

  @Test
  void shouldNameTheMissingFieldWhenARegistrationHasNoKey() throws Exception {
    HttpCalls.Answer a =
        http.post("/v2/systemsharedmemory/region/io/register", "{\"byte_size\":256}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.error()).isEqualTo("Shared memory register request has no 'key' field");
  }
}
