package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.ModelInstance;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures around an execution (assembling inputs, cutting outputs) fail that batch with a short
 * INTERNAL message, are counted, and leave the instance in service.
 */
class InstanceWorkerFailureTest {
  private final Responses responses = new Responses();
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  /** An instance whose input memory fails once with {@code failure}. */
  private static final class FailingMemory implements ModelInstance {
    final FakeInstance delegate = new FakeInstance("i0");
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public io.tensorgate.backend.InstancePlacement placement() {
      return delegate.placement();
    }

    @Override
    public ByteBuffer inputBuffer(String name, int bytes) {
      Throwable t = failure.getAndSet(null);
      if (t instanceof RuntimeException e) {
        throw e;
      }
      if (t instanceof Error e) {
        throw e;
      }
      return null;
    }

    @Override
    public io.tensorgate.backend.ExecutionResult execute(io.tensorgate.backend.Batch batch)
        throws io.tensorgate.backend.BackendException {
      return delegate.execute(batch);
    }

    @Override
    public void close() {}
  }

  private void start(ModelInstance instance) {
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("m:1").maxBatchSize(4).build(),
            List.of(instance),
            BatchListener.NONE);
  }

  private InferenceError failedFirstThenSecondRuns() {
    scheduler.submit(Requests.fp32("first", responses, 1f).build());
    InferenceError error = responses.awaitOutcome("first").error();
    scheduler.submit(Requests.fp32("second", responses, 2f).build());
    assertThat(responses.awaitOutcome("second").ok()).isTrue();
    return error;
  }

  @Test
  void shouldFailTheBatchWithTheMessageWhenAssemblingItsInputsThrows() {
    FailingMemory instance = new FailingMemory();
    instance.failure.set(new IllegalStateException("no pinned memory left"));
    start(instance);

    InferenceError error = failedFirstThenSecondRuns();

    assertThat(error).isEqualTo(new InferenceError(ErrorCode.INTERNAL, "no pinned memory left"));
    assertThat(scheduler.failures()).isEqualTo(1);
    assertThat(instance.delegate.executions.get()).isEqualTo(1);
  }

  @Test
  void shouldSayOnlyThatMemoryRanOutWhenAssemblingRunsOutOfMemory() {
    FailingMemory instance = new FailingMemory();
    instance.failure.set(new OutOfMemoryError("Direct buffer memory"));
    start(instance);

    InferenceError error = failedFirstThenSecondRuns();

    assertThat(error.message())
        .isEqualTo("the server ran out of memory while running this request");
  }

  @Test
  void shouldFailTheBatchWhenTheBackendReturnsNoRequestedOutput() {
    FakeInstance instance = new FakeInstance("i0");
    AtomicReference<Boolean> once = new AtomicReference<>(true);
    instance.outputs(
        batch ->
            once.getAndSet(false)
                ? List.of()
                : List.of(FakeInstance.copy("OUT", batch.inputs().get(0))));
    start(instance);

    InferenceError error = failedFirstThenSecondRuns();

    assertThat(error)
        .isEqualTo(new InferenceError(ErrorCode.INTERNAL, "the backend returned no output 'OUT'"));
    assertThat(scheduler.failures()).isEqualTo(1);
  }
}
