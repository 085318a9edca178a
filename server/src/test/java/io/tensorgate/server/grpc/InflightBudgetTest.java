package io.tensorgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InflightBudgetTest {
  @Test
  void shouldPublishTheReservedBytesWhenBoundToARegistry() {
    InflightBudget budget = new InflightBudget(1000);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    budget.bindTo(registry);

    budget.tryReserve("m", 600);

    assertThat(registry.get("tensorgate.inflight.request").gauge().value()).isEqualTo(600.0);
  }

  @Test
  void shouldRefuseARequestLargerThanTheWholeBudgetSayingWhichFlag() {
    InflightBudget budget = new InflightBudget(1000);

    InferenceError refused = budget.tryReserve("m", 1001);

    assertThat(refused.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(refused.message())
        .isEqualTo(
            "request for model 'm' needs about 1001 bytes once decoded, more than"
                + " --max-inflight-request-bytes (1000)");
    assertThat(budget.reserved()).isZero();
  }

  @Test
  void shouldRefuseWhileOthersHoldTheBudgetAndAcceptOnceTheyRelease() {
    InflightBudget budget = new InflightBudget(1000);
    assertThat(budget.tryReserve("m", 600)).isNull();

    InferenceError refused = budget.tryReserve("m", 500);

    assertThat(refused.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
    assertThat(refused.message()).startsWith("requests in flight hold 600 of 1000 bytes");
    budget.release(600);
    assertThat(budget.tryReserve("m", 500)).isNull();
    assertThat(budget.reserved()).isEqualTo(500);
  }

  @Test
  void shouldAcceptARequestThatFillsTheBudgetExactly() {
    InflightBudget budget = new InflightBudget(1000);

    assertThat(budget.tryReserve("m", 400)).isNull();
    assertThat(budget.tryReserve("m", 600)).isNull();
    assertThat(budget.reserved()).isEqualTo(1000);
  }

  @Test
  void shouldNeverHoldMoreThanTheLimitWhenThreadsReserveAndReleaseConcurrently() throws Exception {
    InflightBudget budget = new InflightBudget(10_000);
    AtomicLong maxSeen = new AtomicLong();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        long size = 1000 + 500 * t;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  int accepted = 0;
                  for (int i = 0; i < 20_000; i++) {
                    if (budget.tryReserve("m", size) == null) {
                      accepted++;
                      maxSeen.accumulateAndGet(budget.reserved(), Math::max);
                      budget.release(size);
                    }
                  }
                  return accepted;
                }));
      }
      go.countDown();
      int accepted = 0;
      for (Future<Integer> f : results) {
        accepted += f.get(60, TimeUnit.SECONDS);
      }

      assertThat(accepted).isPositive();
      assertThat(maxSeen.get()).isLessThanOrEqualTo(10_000);
      assertThat(budget.reserved()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }
}
