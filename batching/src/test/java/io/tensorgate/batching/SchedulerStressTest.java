package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Many producers against a fast backend: every accepted request answered exactly once. */
class SchedulerStressTest {
  private static final int PRODUCERS = 8;
  private static final int PER_PRODUCER = 20_000;
  private static final int TOTAL = PRODUCERS * PER_PRODUCER;

  /** Returns zeros of the right size, instantly. */
  private static final class FastInstance implements ModelInstance {
    @Override
    public InstancePlacement placement() {
      return InstancePlacement.cpu("fast");
    }

    @Override
    public ExecutionResult execute(Batch batch) {
      long now = System.nanoTime();
      Tensor out =
          new Tensor(
              "OUT",
              DataType.FP32,
              new long[] {batch.size(), 1},
              ByteBuffer.allocate(batch.size() * 4));
      return new ExecutionResult(List.of(out), new ExecutionTimestamps(now, now, now, now));
    }

    @Override
    public void close() {}
  }

  /** Counts answers per request number. */
  private static final class Counting implements ResponseListener {
    final AtomicIntegerArray answers = new AtomicIntegerArray(TOTAL);
    final AtomicInteger successes = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public void onSuccess(InferenceRequest request, List<Tensor> outputs) {
      answers.incrementAndGet(Integer.parseInt(request.id()));
      successes.incrementAndGet();
    }

    @Override
    public void onFailure(InferenceRequest request, InferenceError error) {
      answers.incrementAndGet(Integer.parseInt(request.id()));
      failures.incrementAndGet();
    }
  }

  @Test
  void shouldAnswerEveryAcceptedRequestExactlyOnceWhenManyThreadsSubmit() throws Exception {
    Counting listener = new Counting();
    SchedulerConfig config =
        Configs.dynamic(16)
            .preferredBatchSizes(8, 16)
            .priorityLevels(2)
            .defaultPriorityLevel(2)
            .ringSize(256)
            .build();
    Scheduler scheduler =
        Schedulers.create(
            config, List.of(new FastInstance(), new FastInstance()), BatchListener.NONE);
    boolean[] refused = new boolean[TOTAL];
    AtomicInteger refusedCount = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int first = p * PER_PRODUCER;
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = first; i < first + PER_PRODUCER; i++) {
                  InferenceRequest r =
                      Requests.fp32(Integer.toString(i), listener, 1f)
                          .priorityLevel(1 + (i & 1))
                          .build();
                  InferenceError error = scheduler.submit(r);
                  if (error != null) {
                    assertThat(error).isSameAs(SchedulerErrors.QUEUE_FULL);
                    refused[i] = true;
                    refusedCount.incrementAndGet();
                  }
                }
              });
      t.start();
      producers.add(t);
    }
    go.countDown();
    for (Thread t : producers) {
      t.join(60_000);
    }
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    int accepted = TOTAL - refusedCount.get();
    assertThat(listener.successes.get() + listener.failures.get()).isEqualTo(accepted);
    assertThat(listener.failures.get()).isZero();
    for (int i = 0; i < TOTAL; i++) {
      assertThat(listener.answers.get(i))
          .as("answers to request %d", i)
          .isEqualTo(refused[i] ? 0 : 1);
    }
    assertThat(scheduler.pendingCount()).isZero();
    assertThat(scheduler.queueDepth()).isZero();
  }
}
