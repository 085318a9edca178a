package io.tensorgate.server;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code tensorgate} command (Main) in a child JVM, for what only a real process shows: exit
 * codes, one-line start-up errors, signals. Its output goes to a log file; {@link #close()} kills
 * it if it still runs.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern STARTED = Pattern.compile("GRPCInferenceService at [^:]+:(\\d+)");

  public final Process process;
  public final Path log;
  private ManagedChannel channel;

  private ServerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code tensorgate <args>}, writing its output to {@code log}. */
  public static ServerProcess start(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classPath, "io.tensorgate.server.Main"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServerProcess(p, log);
  }

  /** Waits until the server logs its port, and returns it; fails fast if the process exits. */
  public int awaitPort() {
    int[] port = {0};
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Matcher m = STARTED.matcher(output());
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
              }
              if (!process.isAlive()) {
                throw new IllegalStateException("server exited: " + output());
              }
              return false;
            });
    return port[0];
  }

  /** A plaintext channel to the server's port (closed with this). */
  public ManagedChannel channel() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", awaitPort()).usePlaintext().build();
    }
    return channel;
  }

  /** Waits for the process to exit and returns its status. */
  public int awaitExit() throws InterruptedException, IOException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server did not exit: " + output());
    }
    return process.exitValue();
  }

  public String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (process.isAlive()) {
      kill();
    }
  }
}
