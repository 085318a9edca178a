package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
