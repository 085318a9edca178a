package io.tensorgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGTERM to a real server process (Main in a child JVM): requests executing and queued at
 * the moment of the signal all succeed, and the process exits well before --exit-timeout-secs. The
 * in-process {@code ShutdownEndToEndTest} checks the same drain step by step; this one proves that
 * the signal reaches it (Main's shutdown hook).
 */
class SigtermEndToEndTest {
  private static final Pattern STARTED = Pattern.compile("GRPCInferenceService at [^:]+:(\\d+)");

  @TempDir Path repo;
  @TempDir Path logs;

  @Test
  void shouldAnswerEveryQueuedRequestWhenTheProcessGetsSigterm() throws Exception {
    new TestRepository(repo)
        .withFaultModel(
            "slow", "parameters { key: \"delay_ms\" value: { string_value: \"400\" } }\n");
    Path log = logs.resolve("server.log");
    Process server = startServer(log, 20);
    ManagedChannel channel = null;
    try {
      channel =
          NettyChannelBuilder.forAddress("127.0.0.1", awaitPort(server, log))
              .usePlaintext()
              .build();
      var stub = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      int n = 5;
      CountDownLatch answered = new CountDownLatch(n);
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      for (int i = 0; i < n; i++) {
        stub.modelInfer(Requests.gate("slow", i + 1), observer(answered, errors));
      }
      // One execution (400 ms) finished: the other four are executing or queued.
      var blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  blocking
                          .withDeadlineAfter(5, TimeUnit.SECONDS)
                          .modelStatistics(
                              ModelStatisticsRequest.newBuilder().setName("slow").build())
                          .getModelStats(0)
                          .getExecutionCount()
                      >= 1);
      long signalled = System.nanoTime();
      server.destroy(); // SIGTERM

      assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      assertThat(errors).isEmpty();
      assertThat(drainMillis).isLessThan(TimeUnit.SECONDS.toMillis(20));
      assertThat(server.exitValue()).as("exit status after SIGTERM").isZero();
      assertThat(Files.readString(log))
          .contains("signal received: draining")
          .contains("server stopped")
          .contains("exiting with status 0");
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      server.destroyForcibly();
    }
  }

  private static int awaitPort(Process server, Path log) {
    int[] port = {0};
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Matcher m = STARTED.matcher(Files.readString(log));
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
              }
              if (!server.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(log));
              }
              return false;
            });
    return port[0];
  }

  @Test
  void shouldExitOneWhenTheExitTimeoutCutsTheDrainShort() throws Exception {
    new TestRepository(repo)
        .withFaultModel(
            "slow", "parameters { key: \"delay_ms\" value: { string_value: \"1000\" } }\n");
    Path log = logs.resolve("server.log");
    Process server = startServer(log, 0);
    ManagedChannel channel = null;
    try {
      channel =
          NettyChannelBuilder.forAddress("127.0.0.1", awaitPort(server, log))
              .usePlaintext()
              .build();
      var stub = GRPCInferenceServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        stub.modelInfer(
            Requests.gate("slow", i + 1),
            observer(new CountDownLatch(1), new CopyOnWriteArrayList<>()));
      }
      // One execution (1 s) finished: the other two are executing or queued, and no time is left.
      var blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  blocking
                          .withDeadlineAfter(5, TimeUnit.SECONDS)
                          .modelStatistics(
                              ModelStatisticsRequest.newBuilder().setName("slow").build())
                          .getModelStats(0)
                          .getExecutionCount()
                      >= 1);
      server.destroy(); // SIGTERM

      assertThat(server.waitFor(15, TimeUnit.SECONDS)).as("exits soon after the timeout").isTrue();
      assertThat(server.exitValue()).as("exit status after a drain cut short").isEqualTo(1);
      assertThat(Files.readString(log))
          .contains("exit timeout reached")
          .contains("exiting with status 1");
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      server.destroyForcibly();
    }
  }

  private Process startServer(Path log, int exitTimeoutSeconds) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            classPath,
            "io.tensorgate.server.Main",
            "--model-repository",
            repo.toString(),
            "--grpc-port",
            "0",
            "--metrics-port",
            "0",
            "--http-port",
            "0",
            "--exit-timeout-secs",
            String.valueOf(exitTimeoutSeconds))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static StreamObserver<ModelInferResponse> observer(
      CountDownLatch answered, List<Throwable> errors) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse value) {}

      @Override
      public void onError(Throwable t) {
        errors.add(t);
        answered.countDown();
      }

      @Override
      public void onCompleted() {
        answered.countDown();
      }
    };
  }
}
