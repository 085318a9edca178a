package io.tensorgate.backend.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryCheckTest {
  @TempDir Path dir;

  @Test
  void shouldNameEveryLibraryFoundNowhere() {
    LibraryCheck check = new LibraryCheck(List.of(dir), "");

    assertThat(check.missing(List.of("libcuda.so.1", "libnvinfer.so.10")))
        .containsExactly("libcuda.so.1", "libnvinfer.so.10");
  }

  @Test
  void shouldFindALibraryInAFolder() throws Exception {
    Files.createFile(dir.resolve("libcudart.so.13"));
    LibraryCheck check = new LibraryCheck(List.of(dir.resolve("nothing"), dir), "");

    assertThat(check.missing(List.of("libcudart.so.13", "libcuda.so.1")))
        .containsExactly("libcuda.so.1");
  }

  @Test
  void shouldFindALibraryTheLoaderCacheLists() {
    String cache =
        "glibc-ld.so.cache1.1\0libcuda.so.1\0/usr/lib/x86_64-linux-gnu/libcuda.so.1\0"
            + "libcudart.so.12\0/usr/local/cuda/lib64/libcudart.so.12\0";
    LibraryCheck check = new LibraryCheck(List.of(), cache);

    assertThat(check.missing(List.of("libcuda.so.1", "libcudart.so.1", "libcudart.so.13")))
        .containsExactly("libcudart.so.1", "libcudart.so.13");
  }
}
