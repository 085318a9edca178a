package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.codec.RequestDecoder;
import io.tensorgate.server.codec.ResponseEncoder;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.route.RouteDecision;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reads the statistics right after its answer must find that answer counted: the
 * handler records a request's outcome before the client can have it.
 */
class InferHandlerStatisticsTest {
  @TempDir Path repo;
  @TempDir Path shmRoot;

  /** Reads the version's counts at the moment the client is answered. */
  private static final class CountingResponder implements Responder {
    private final LoadedVersion version;
    private final CountDownLatch answered = new CountDownLatch(1);
    volatile long successesAtAnswer = -1;
    volatile long failuresAtAnswer = -1;

    CountingResponder(LoadedVersion version) {
      this.version = version;
    }

    @Override
    public void respond(ModelInferResponse response) {
      note();
    }

    @Override
    public void fail(InferenceError error) {
      note();
    }

    private void note() {
      successesAtAnswer = version.stats().success().count();
      failuresAtAnswer = version.stats().fail().count();
      answered.countDown();
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    void await() throws InterruptedException {
      assertThat(answered.await(10, TimeUnit.SECONDS)).as("answered within 10 s").isTrue();
    }
  }

  private InferHandler handler(LoadedVersion version) {
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    return new InferHandler(
        (model, v, key) -> new RouteDecision(version, "default"),
        new RequestDecoder(shm),
        new ResponseEncoder(shm),
        new InflightBudget(1 << 20),
        List.of(),
        new EventLoops());
  }

  @Test
  void shouldCountASuccessWhenTheClientGetsItsResponse() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      LoadedVersion simple = s.server.repository().registry().resolve("simple", "");
      CountingResponder responder = new CountingResponder(simple);

      handler(simple).infer(Requests.simple(1), responder, InferenceRequest.NO_DEADLINE);
      responder.await();

      assertThat(responder.successesAtAnswer).isEqualTo(1);
    }
  }

  @Test
  void shouldCountAFailureWhenTheClientGetsItsError() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo)) {
      LoadedVersion simple = s.server.repository().registry().resolve("simple", "");
      CountingResponder responder = new CountingResponder(simple);
      var wrongDatatype =
          Requests.simple(1).toBuilder()
              .setInputs(0, Requests.input("INPUT0", "FP32", 1, 16))
              .build();

      handler(simple).infer(wrongDatatype, responder, InferenceRequest.NO_DEADLINE);
      responder.await();

      assertThat(responder.failuresAtAnswer).isEqualTo(1);
    }
  }
}
