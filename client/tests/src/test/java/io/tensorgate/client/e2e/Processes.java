package io.tensorgate.client.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command as a user would, with a bounded wait, and keeps what it printed. */
final class Processes {
  private Processes() {}

  record Outcome(int exitCode, String output) {}

  static Outcome run(
      List<String> command, Path directory, Map<String, String> env, Path log, Duration limit)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          String.join(" ", command) + " ran past " + limit + ":\n" + Files.readString(log));
    }
    return new Outcome(p.exitValue(), Files.readString(log));
  }
}
