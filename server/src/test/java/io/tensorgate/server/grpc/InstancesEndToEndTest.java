package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.testing.GateBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** instance_group count is honoured: that many executions run at the same time. */
class InstancesEndToEndTest {
  @TempDir Path repo;

  @Test
  void shouldRunOneExecutionPerInstanceConcurrently() throws Exception {
    GateBackend.close("three");
    new TestRepository(repo)
        .withGateModel("three", "three", "instance_group [{ count: 3 kind: KIND_CPU }]\n");
    try (RunningServer s = RunningServer.start(repo)) {
      CountDownLatch done = new CountDownLatch(5);
      for (int i = 0; i < 5; i++) {
        s.async().modelInfer(Requests.gate("three", i), counting(done));
      }
      // Three instances: three executions wait at the gate together, the other two stay queued.
      await().atMost(Duration.ofSeconds(10)).until(() -> GateBackend.waiting("three") == 3);
      GateBackend.open("three");
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(GateBackend.executions("three")).isEqualTo(5);
    }
  }

  private static StreamObserver<ModelInferResponse> counting(CountDownLatch done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        done.countDown();
      }
    };
  }
}
