package io.tensorgate.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class LoadedVersionCloseTest {
  private static final ModelIo IO =
      FuzzModels.io(
          """
          name: "m"
          input [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]
          output [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
          """);

  @Test
  void shouldCloseOnTheOwnedExecutorWhenRetiredIdle() {
    Queue<Runnable> tasks = new ArrayDeque<>();
    LoadedVersion v = TestVersions.version(IO, tasks::add);

    CompletableFuture<Void> closed = v.retire();

    assertThat(closed).isNotDone();
    assertThat(tasks).hasSize(1);
    tasks.poll().run();
    assertThat(closed).isCompleted();
  }

  @Test
  void shouldCloseOnTheLastRequestsThreadWhenTheOwnedExecutorIsShutDown() {
    Executor shutDown =
        r -> {
          throw new RejectedExecutionException("shut down");
        };
    LoadedVersion v = TestVersions.version(IO, shutDown);
    assertThat(v.tryAcquire()).isTrue();
    CompletableFuture<Void> closed = v.retire();
    assertThat(closed).isNotDone();

    v.release();

    assertThat(closed).isCompleted();
  }
}
