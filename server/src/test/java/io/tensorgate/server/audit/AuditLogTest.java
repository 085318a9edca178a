package io.tensorgate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.server.security.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit store: memory, file, rotation, and what happens when the file cannot be written. */
class AuditLogTest {
  @TempDir Path dir;

  private static AuditEntry entry(String model, String message) {
    return new AuditEntry(
        Instant.parse("2026-12-05T10:00:00Z"),
        new Caller("operators", "", "127.0.0.1:4000"),
        "RepositoryModelLoad",
        model,
        "",
        Map.of("k", "v"),
        "OK",
        message,
        true);
  }

  @Test
  void shouldKeepTheLastThousandEntriesOldestFirst() {
    try (AuditLog log = new AuditLog()) {
      for (int i = 0; i < AuditLog.KEPT + 5; i++) {
        log.record(entry("m" + i, ""));
      }

      List<AuditEntry> all = log.recent("", 0);
      assertThat(all).hasSize(AuditLog.KEPT);
      assertThat(all.get(0).model()).isEqualTo("m5");
      assertThat(log.recent("", 2)).extracting(AuditEntry::model).containsExactly("m1003", "m1004");
      assertThat(log.recent("m7", 0)).hasSize(1);
    }
  }

  @Test
  void shouldWriteOneJsonLinePerEntryEvenWhenAValueHoldsANewline() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = new AuditLog(file, 1 << 20, 3, 16)) {
      log.record(entry("m", "first line\nsecond line"));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .isEqualTo(
            "{\"time\":\"2026-12-05T10:00:00Z\",\"caller\":{\"rule\":\"operators\",\"subject\":\"\","
                + "\"peer\":\"127.0.0.1:4000\"},\"call\":\"RepositoryModelLoad\",\"model\":\"m\","
                + "\"version\":\"\",\"arguments\":{\"k\":\"v\"},\"status\":\"OK\","
                + "\"message\":\"first line\\nsecond line\"}");
  }

  @Test
  void shouldRotateBySizeAndKeepAtMostTheGivenNumberOfFiles() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    int lineBytes = entry("m", "").json().length() + 1;
    try (AuditLog log = new AuditLog(file, 2L * lineBytes, 3, 64)) {
      for (int i = 0; i < 10; i++) {
        log.record(entry("m", ""));
      }
    }

    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(3);
    }
    assertThat(Files.readAllLines(file)).hasSize(2);
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl.2"))).hasSize(2);
  }

  @Test
  void shouldCountWriteFailuresAndKeepTheEntriesInMemoryWhenTheFileCannotBeWritten()
      throws Exception {
    Files.writeString(dir.resolve("not-a-folder"), "");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (AuditLog log = new AuditLog(dir.resolve("not-a-folder/audit.jsonl"), 1 << 20, 3, 16)) {
      log.bindTo(registry);
      log.record(entry("m", ""));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  registry
                          .get("tensorgate.audit.write.failures")
                          .tag("reason", "io_error")
                          .functionCounter()
                          .count()
                      == 1);
      assertThat(log.recent("", 0)).hasSize(1);
    }
  }

  @Test
  void shouldNeverWaitForTheWriterAndCountWhatTheFullQueueDropped() {
    int n = 5000;
    try (AuditLog log = new AuditLog(dir.resolve("audit.jsonl"), 64L << 20, 2, 1)) {
      for (int i = 0; i < n; i++) {
        log.record(entry("m", ""));
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> log.written() + log.failures(AuditLog.QUEUE_FULL) == n);
      assertThat(log.failures(AuditLog.IO_ERROR)).isZero();
    }
  }
}
