package io.tensorgate.server.threads;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Background loops and tasks outlive what they throw, and every failure is counted. */
class BackgroundThreadsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BackgroundThreads threads = new BackgroundThreads(registry);

  private double counted(String thread) {
    return registry
        .get("tensorgate.background.thread.failures")
        .tag("thread", thread)
        .counter()
        .count();
  }

  @Test
  void shouldRunTheLoopAgainAndCountTheFailureWhenItThrowsAnError() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch secondRun = new CountDownLatch(1);
    Thread t =
        threads.start(
            "test-loop",
            () -> {
              if (runs.incrementAndGet() == 1) {
                throw new OutOfMemoryError("test");
              }
              secondRun.countDown();
            },
            () -> false);

    assertThat(secondRun.await(10, TimeUnit.SECONDS)).isTrue();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(t.isDaemon()).isTrue();
    assertThat(runs.get()).isEqualTo(2);
    assertThat(counted("test-loop")).isEqualTo(1);
    assertThat(threads.failureCount("test-loop")).isEqualTo(1);
  }

  @Test
  void shouldEndInsteadOfRestartingWhenItsOwnerIsStoppingIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean closing = new AtomicBoolean();
    Thread t =
        threads.start(
            "test-stopped",
            () -> {
              runs.incrementAndGet();
              closing.set(true);
              throw new IllegalStateException("failed while being stopped");
            },
            closing::get);

    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(counted("test-stopped")).isEqualTo(1);
  }

  @Test
  void shouldKeepAPeriodicTaskScheduledWhenARunThrowsAnError() throws Exception {
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch third = new CountDownLatch(3);
      loop.scheduleWithFixedDelay(
          threads.guard(
              "test-periodic",
              () -> {
                third.countDown();
                if (runs.incrementAndGet() == 1) {
                  throw new StackOverflowError("test");
                }
              }),
          0,
          1,
          TimeUnit.MILLISECONDS);

      assertThat(third.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(counted("test-periodic")).isEqualTo(1);
    } finally {
      loop.shutdownNow();
    }
  }
}
