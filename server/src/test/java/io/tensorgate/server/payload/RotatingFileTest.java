package io.tensorgate.server.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {
  @TempDir Path dir;

  @Test
  void shouldKeepAtMostKeepFilesOfAtMostMaxBytesWhenRotating() throws Exception {
    try (RotatingFile f = new RotatingFile(dir, "p.jsonl", 20, 3)) {
      for (int i = 0; i < 10; i++) {
        f.append("line-" + i + "-xxxx"); // 12 bytes with the newline: one line per file
      }
    }

    assertThat(dir.resolve("p.jsonl")).hasContent("line-9-xxxx");
    assertThat(dir.resolve("p.jsonl.1")).hasContent("line-8-xxxx");
    assertThat(dir.resolve("p.jsonl.2")).hasContent("line-7-xxxx");
    try (var files = Files.list(dir)) {
      assertThat(files.count()).isEqualTo(3);
    }
  }

  @Test
  void shouldAppendToExistingFileUntilItIsFull() throws Exception {
    try (RotatingFile f = new RotatingFile(dir, "p.jsonl", 100, 2)) {
      f.append("a");
    }
    try (RotatingFile f = new RotatingFile(dir, "p.jsonl", 100, 2)) {
      f.append("b");
    }

    assertThat(Files.readAllLines(dir.resolve("p.jsonl"))).containsExactly("a", "b");
  }
}
