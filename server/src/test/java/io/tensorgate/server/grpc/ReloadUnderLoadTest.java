package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads a model again and again while clients keep sending requests to it: no request fails,
 * because the new version is loaded before it takes traffic and the old one closes only after its
 * in-flight requests are answered.
 */
class ReloadUnderLoadTest {
  @TempDir Path repo;

  /**
   * Issue 6: open-loop traffic (a fixed send rate that does not wait for answers) pinned to version
   * 1 while, cycle after cycle, a new version appears and loads, goes away and unloads, and another
   * model unloads and loads again. Not one pinned request may fail.
   */
  @Test
  void shouldFailNoPinnedRequestWhenVersionsComeAndGoUnderOpenLoopTraffic() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_identity");
    Path config = repo.resolve("simple/config.pbtxt");
    Files.writeString(config, Files.readString(config) + "\nversion_policy: { all {} }\n");
    // Reload safety only: on a starved build machine the sender's catch-up bursts (fixed rate)
    // are real overload, which the queue-wait budget (QueueWaitEndToEndTest) would rightly shed.
    try (RunningServer s =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .controlMode(ControlMode.EXPLICIT)
                .loadModels(List.of("simple", "simple_identity"))
                .maxQueueWait(Duration.ZERO))) {
      AtomicLong sent = new AtomicLong();
      AtomicLong ok = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      ModelInferRequest pinned = Requests.simple(1).toBuilder().setModelVersion("1").build();
      ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
      sender.scheduleAtFixedRate(
          () -> {
            sent.incrementAndGet();
            s.async()
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .modelInfer(pinned, countingObserver(ok, failures));
          },
          0,
          2,
          TimeUnit.MILLISECONDS);
      int cycles = 8;
      for (int v = 2; v < 2 + cycles; v++) {
        Path dir = repo.resolve("simple").resolve(Integer.toString(v));
        TestRepository.copyTree(repo.resolve("simple/1"), dir);
        load(s, "simple");
        deleteTree(dir);
        load(s, "simple");
        s.blocking()
            .repositoryModelUnload(
                RepositoryModelUnloadRequest.newBuilder().setModelName("simple_identity").build());
        load(s, "simple_identity");
      }
      sender.shutdown();
      assertThat(sender.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() + failures.size() == sent.get());

      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(cycles * 10L);
      assertThat(s.server.repository().registry().get("simple").ready().keySet())
          .containsExactly(1L);
    }
  }

  private static void load(RunningServer s, String model) {
    s.blocking()
        .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(model).build());
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static StreamObserver<ModelInferResponse> countingObserver(
      AtomicLong ok, ConcurrentLinkedQueue<Throwable> failures) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse r) {
        int v = Requests.readInt32s(Requests.output(r, "OUTPUT0"))[5];
        if (v != 6) {
          failures.add(new AssertionError("wrong answer " + v));
        }
      }

      @Override
      public void onError(Throwable t) {
        failures.add(t);
      }

      @Override
      public void onCompleted() {
        ok.incrementAndGet();
      }
    };
  }

  @Test
  void shouldFailNoRequestWhenModelReloadsUnderConcurrentTraffic() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"))) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong ok = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
          GRPCInferenceServiceGrpc.newBlockingStub(s.channel);
      List<Future<?>> loops = new java.util.ArrayList<>();
      for (int c = 0; c < 4; c++) {
        loops.add(
            clients.submit(
                () -> {
                  while (running.get()) {
                    try {
                      int v =
                          Requests.readInt32s(
                              Requests.output(
                                  stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                                      .modelInfer(Requests.simple(1)),
                                  "OUTPUT0"))[5];
                      if (v != 6) {
                        failures.add(new AssertionError("wrong answer " + v));
                      }
                      ok.incrementAndGet();
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }
                }));
      }
      int reloads = 10;
      for (int i = 0; i < reloads; i++) {
        s.blocking()
            .repositoryModelLoad(
                RepositoryModelLoadRequest.newBuilder().setModelName("simple").build());
      }
      running.set(false);
      for (Future<?> f : loops) {
        f.get(30, TimeUnit.SECONDS);
      }
      clients.shutdown();
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(reloads);
    }
  }
}
