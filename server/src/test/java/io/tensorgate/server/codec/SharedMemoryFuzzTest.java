package io.tensorgate.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the shared-memory parameters: a tensor's {@code shared_memory_*} parameters ({@link
 * ShmParams}), region registration with fuzzed keys, offsets and sizes, and slicing a registered
 * region with fuzzed offsets and sizes ({@link SharedMemoryRegistry}), over a small object in a
 * temporary folder that stands in for {@code /dev/shm}.
 *
 * <p>The property: each call either succeeds with a view that lies inside the object and has the
 * asked size, or fails with an {@link InferenceException} whose code is not INTERNAL. Seeds live in
 * {@code SharedMemoryFuzzTestInputs/<method>/}.
 */
class SharedMemoryFuzzTest {
  static final int OBJECT_BYTES = 4096;

  private static final String[] KEYS = {
    "/obj", "obj", "/empty", "/dir", "/link", "/missing", "../obj", "/", "", ".", "..", "//obj"
  };
  private static final String[] NAMES = {"r", "s", ""};
  private static final long[] INTERESTING = {
    -1,
    0,
    1,
    8,
    64,
    4095,
    4096,
    4097,
    Integer.MAX_VALUE,
    1L << 31,
    1L << 32,
    Long.MAX_VALUE,
    Long.MAX_VALUE - 1,
    Long.MIN_VALUE,
    -4096
  };

  @TempDir static Path shmRoot;

  @BeforeAll
  static void setUp() throws IOException {
    Files.write(shmRoot.resolve("obj"), new byte[OBJECT_BYTES]);
    Files.write(shmRoot.resolve("empty"), new byte[0]);
    Files.createDirectory(shmRoot.resolve("dir"));
    Files.createSymbolicLink(shmRoot.resolve("link"), shmRoot.resolve("obj"));
  }

  @FuzzTest
  void registerAndSlice(FuzzedDataProvider data) {
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    int registrations = data.consumeInt(1, 3);
    for (int i = 0; i < registrations; i++) {
      String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(8);
      String key = data.consumeBoolean() ? data.pickValue(KEYS) : data.consumeString(16);
      long offset = number(data);
      long size = number(data);
      try {
        shm.register(name, key, offset, size);
        assertThat(offset).isNotNegative();
        assertThat(size).isPositive();
        assertThat(offset + size).isLessThanOrEqualTo(OBJECT_BYTES);
        assertThat(shm.status(name).get(name).byteSize()).isEqualTo(size);
      } catch (InferenceException e) {
        expected(e);
      }
    }
    int slices = data.consumeInt(0, 4);
    for (int i = 0; i < slices; i++) {
      String name = data.pickValue(NAMES);
      long offset = number(data);
      long size = number(data);
      try {
        ByteBuffer view = shm.read(name, offset, size);
        long regionSize = shm.status(name).get(name).byteSize();
        assertThat(offset).isNotNegative();
        assertThat(offset + size).isLessThanOrEqualTo(regionSize);
        assertThat((long) view.remaining()).isEqualTo(size);
      } catch (InferenceException e) {
        expected(e);
      }
    }
    shm.unregister("");
  }

  @FuzzTest
  void parseTensorParameters(FuzzedDataProvider data) {
    Map<String, InferParameter> params = new HashMap<>();
    int n = data.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      String key =
          data.pickValue(
              new String[] {
                "shared_memory_region",
                "shared_memory_offset",
                "shared_memory_byte_size",
                "classification",
                "other"
              });
      InferParameter.Builder p = InferParameter.newBuilder();
      switch (data.consumeInt(0, 5)) {
        case 0 -> p.setBoolParam(data.consumeBoolean());
        case 1 -> p.setInt64Param(number(data));
        case 2 -> p.setStringParam(data.consumeString(8));
        case 3 -> p.setDoubleParam(data.consumeDouble());
        case 4 -> p.setUint64Param(number(data));
        default -> {
          // no value
        }
      }
      params.put(key, p.build());
    }
    try {
      ShmParams s = ShmParams.parse("t", params);
      if (s == null) {
        assertThat(params).doesNotContainKey("shared_memory_region");
      } else {
        assertThat(params.get("shared_memory_region").getStringParam()).isEqualTo(s.region());
      }
    } catch (InferenceException e) {
      expected(e);
    }
  }

  private static void expected(InferenceException e) {
    assertThat(e.code().name()).as(e.getMessage()).isNotEqualTo("INTERNAL");
    assertThat(e.getMessage()).isNotBlank();
  }

  private static long number(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(INTERESTING) : data.consumeLong();
  }
}
