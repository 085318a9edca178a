package io.tensorgate.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An echo server on loopback, a request file, and the ghz command line aimed at them. */
final class GhzRig implements AutoCloseable {
  private final EchoServer echo;
  private final Path request;

  /**
   * @param dir where the request file and the echo server's shared memory go
   * @param requestJson the call data written to {@link #request()}
   */
  GhzRig(Path dir, String requestJson) throws Exception {
    echo = EchoServer.builder().port(0).sharedMemoryDirectory(dir).start();
    request = dir.resolve("req.json");
    Files.writeString(request, requestJson);
  }

  Path request() {
    return request;
  }

  String host() {
    return "127.0.0.1:" + echo.port();
  }

  /** The command line with {@code host} last, as ghz takes it. */
  Cli ghz(String... flags) {
    List<String> args = new ArrayList<>(List.of(flags));
    args.add(host());
    return Cli.execute(args.toArray(new String[0]));
  }

  @Override
  public void close() throws InterruptedException {
    echo.close();
  }
}
