package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The words of the scheduler's errors. */
class SchedulerErrorsTest {
  @ParameterizedTest
  @CsvSource({
    "simple:1, simple",
    "simple:12, simple",
    "a:b:3, a:b",
    "simple, simple",
    "simple:, simple:",
    ":1, :1",
    "simple:v1, simple:v1",
    "simple:1x, simple:1x"
  })
  void shouldDropOnlyATrailingNumericVersionWhenNamingTheModel(String scheduler, String model) {
    assertThat(SchedulerErrors.modelName(scheduler)).isEqualTo(model);
  }

  @Test
  void shouldKeepTheMessageOfAnExceptionThatFailedABatch() {
    assertThat(SchedulerErrors.notExecuted(new IllegalStateException("bad shape")))
        .isEqualTo(new io.tensorgate.backend.InferenceError(ErrorCode.INTERNAL, "bad shape"));
  }

  @Test
  void shouldNameTheExceptionClassWhenItHasNoMessage() {
    assertThat(SchedulerErrors.notExecuted(new IllegalStateException()).message())
        .isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void shouldSayOnlyThatTheWorkerFailedWhenAnErrorOtherThanMemoryFailedABatch() {
    assertThat(SchedulerErrors.notExecuted(new InternalError("a fault in unsafe memory")))
        .isSameAs(SchedulerErrors.WORKER_FAILED);
  }
}
