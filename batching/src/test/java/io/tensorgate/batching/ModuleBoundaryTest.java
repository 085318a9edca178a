package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The batching module stays below the server: no gRPC in its code or on its class path. */
class ModuleBoundaryTest {
  @Test
  void shouldNotMentionGrpcWhenScanningTheMainSources() throws IOException {
    Path sources = Path.of("src/main/java");
    assertThat(sources).isDirectory();
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(sources)) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(ModuleBoundaryTest::mentionsGrpc)
              .collect(Collectors.toList());
    }
    assertThat(offenders).isEmpty();
  }

  @Test
  void shouldNotHaveGrpcOnTheClassPathWhenTestsRun() {
    assertThatThrownBy(() -> Class.forName("io.grpc.Status"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  private static boolean mentionsGrpc(Path file) {
    try {
      return Files.readString(file).contains("io.grpc");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
