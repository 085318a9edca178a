package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admission of sequence requests: Triton's rules and words, live ids, the bound. */
class SequenceRegistryTest {
  private static final long NOW = 7_000_000_000L;

  private final Responses responses = new Responses();

  private static SchedulerConfig.Builder config(int maxBatchSize) {
    SequenceConfig sequence =
        new SequenceConfig(0, SequenceConfig.Strategy.DIRECT, 1, 0, List.of(), List.of());
    return SchedulerConfig.builder("seqmodel:1").maxBatchSize(maxBatchSize).sequence(sequence);
  }

  private final SequenceRegistry registry =
      new SequenceRegistry(config(4).ringSize(4).build(), new BatcherWakeup());

  private InferenceRequest step(long id, boolean start, boolean end) {
    return Requests.fp32("r", responses, 1f)
        .sequence(new InferenceRequest.SequenceControl(id, null, start, end))
        .build();
  }

  private QueuedRequest last() {
    return registry.ring.get(registry.ring.getCursor());
  }

  @Test
  void shouldRefuseInTritonsWordsWhenABatchedModelGetsSeveralRows() {
    InferenceRequest twoRows =
        Requests.batch("r", responses, 2, 1f, 2f)
            .sequence(new InferenceRequest.SequenceControl(1, null, true, false))
            .build();

    InferenceError refused = registry.offer(twoRows, NOW);

    assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(refused.message())
        .isEqualTo(
            "inference request to model 'seqmodel' must specify batch-size 1 due to"
                + " requirements of sequence batcher");
  }

  @Test
  void shouldAcceptSeveralRowsWhenTheModelDoesNotBatch() {
    SequenceRegistry unbatched = new SequenceRegistry(config(0).build(), new BatcherWakeup());
    InferenceRequest twoRows =
        Requests.batch("r", responses, 2, 1f, 2f)
            .sequence(new InferenceRequest.SequenceControl(1, null, true, false))
            .build();

    assertThat(unbatched.offer(twoRows, NOW)).isNull();
  }

  @Test
  void shouldNameAnUnsignedIdWhenANumericSequenceDoesNotStart() {
    InferenceError refused = registry.offer(step(-1L, false, false), NOW);

    assertThat(refused.message())
        .isEqualTo(
            "inference request for sequence 18446744073709551615 to model 'seqmodel' must"
                + " specify the START flag on the first request of the sequence");
  }

  @Test
  void shouldNameTheStringIdWhenAStringSequenceDoesNotStart() {
    InferenceRequest r =
        Requests.fp32("r", responses, 1f)
            .sequence(new InferenceRequest.SequenceControl(0, "abc", false, false))
            .build();

    assertThat(registry.offer(r, NOW).message()).startsWith("inference request for sequence abc ");
  }

  @Test
  void shouldContinueTheSameSequenceWhenALiveIdStartsAgain() {
    registry.offer(step(9, true, false), NOW);
    ActiveSequence first = last().sequence;

    registry.offer(step(9, true, false), NOW + 5);

    assertThat(last().sequence).isSameAs(first);
    assertThat(first.lastRequestNanos).isEqualTo(NOW + 5);
  }

  @Test
  void shouldRefuseTheNextRequestWithoutStartWhenTheEndWasSubmitted() {
    registry.offer(step(9, true, true), NOW);

    assertThat(registry.offer(step(9, false, false), NOW).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void shouldRefuseWithQueueFullWhenRingAndQueuesHoldTheRingSize() {
    for (int i = 0; i < 4; i++) {
      assertThat(registry.offer(step(i + 1, true, false), NOW)).isNull();
    }

    assertThat(registry.offer(step(9, true, false), NOW)).isSameAs(SchedulerErrors.QUEUE_FULL);

    registry.left();
    assertThat(registry.offer(step(9, true, false), NOW)).isNull();
  }

  @Test
  void shouldNotCountARefusedStartlessRequest() {
    for (int i = 0; i < 3; i++) {
      assertThat(registry.offer(step(i + 1, true, false), NOW)).isNull();
    }
    registry.offer(step(99, false, false), NOW);

    assertThat(registry.offer(step(4, true, false), NOW)).isNull();
  }

  @Test
  void shouldExpireASequenceIdleForExactlyTheIdleTime() {
    registry.offer(step(9, true, false), NOW);
    ActiveSequence s = last().sequence;

    assertThat(registry.expireIfIdle(s, NOW + 999, 1_000)).isFalse();
    assertThat(registry.expireIfIdle(s, NOW + 1_000, 1_000)).isTrue();
    assertThat(registry.offer(step(9, false, false), NOW).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }
}
