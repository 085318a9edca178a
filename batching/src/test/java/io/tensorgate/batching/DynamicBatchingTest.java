package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batch formation: sizes, preferred sizes, queue delay, shapes, and cutting outputs back. */
class DynamicBatchingTest {
  private static final long ONE_HOUR_MICROS = 3_600_000_000L;

  private final Responses responses = new Responses();
  private final FakeInstance instance = new FakeInstance("i0");
  private Scheduler scheduler;

  @AfterEach
  void closeScheduler() {
    instance.release();
    if (scheduler != null) {
      scheduler.close();
    }
  }

  private void start(SchedulerConfig config, ModelInstance... instances) {
    scheduler =
        Schedulers.create(
            config,
            instances.length == 0 ? List.of(instance) : List.of(instances),
            BatchListener.NONE);
  }

  /** Occupies the instance with one request, so that the next ones queue. */
  private void occupy() throws InterruptedException {
    occupy(1);
  }

  /** Occupies the instance with one request of {@code rows} rows (a size that goes at once). */
  private void occupy(int rows) throws InterruptedException {
    instance.hold();
    scheduler.submit(Requests.batch("blocker", responses, rows, new float[rows]).build());
    instance.awaitEntered(1);
  }

  private void submit(String id, float value) {
    assertThat(scheduler.submit(Requests.fp32(id, responses, value).build())).isNull();
  }

  private List<Integer> batchSizes() {
    return instance.batches.stream().map(FakeInstance.Recorded::size).toList();
  }

  @Test
  void shouldFillBatchesUpToMaxBatchSizeWhenRequestsQueuedWhileBusy() throws Exception {
    start(Configs.dynamic(4).build());
    occupy();
    for (int i = 0; i < 6; i++) {
      submit("r" + i, i);
    }
    instance.release();
    responses.awaitAnswers(7);

    assertThat(batchSizes()).containsExactly(1, 4, 2);
    assertThat(Requests.floats(instance.batches.get(1).input("IN")))
        .containsExactly(0f, 1f, 2f, 3f);
    assertThat(Requests.floats(instance.batches.get(2).input("IN"))).containsExactly(4f, 5f);
  }

  @Test
  void shouldNeverBatchMirroredRequestsWithOthersWhenBothAreQueued() throws Exception {
    start(Configs.dynamic(8).build());
    occupy();
    submit("a", 1);
    submit("b", 2);
    scheduler.submit(Requests.fp32("m1", responses, 3).mirrored(true).build());
    scheduler.submit(Requests.fp32("m2", responses, 4).mirrored(true).build());
    submit("c", 5);
    instance.release();
    responses.awaitAnswers(6);

    assertThat(batchSizes()).containsExactly(1, 2, 2, 1);
    assertThat(Requests.floats(instance.batches.get(2).input("IN"))).containsExactly(3f, 4f);
  }

  @Test
  void shouldKeepARequestWholeWhenItDoesNotFitTheBatch() throws Exception {
    start(Configs.dynamic(4).build());
    occupy();
    scheduler.submit(Requests.batch("three", responses, 3, 1f, 2f, 3f).build());
    scheduler.submit(Requests.batch("two", responses, 2, 4f, 5f).build());
    instance.release();
    responses.awaitAnswers(3);

    assertThat(batchSizes()).containsExactly(1, 3, 2);
  }

  @Test
  void shouldGiveEachRequestItsOwnRowsWhenMultiRowRequestsShareABatch() throws Exception {
    start(Configs.dynamic(8).build());
    occupy();
    scheduler.submit(Requests.batch("a", responses, 2, 1f, 2f).build());
    scheduler.submit(Requests.batch("b", responses, 3, 3f, 4f, 5f).build());
    instance.release();
    responses.awaitAnswers(3);

    assertThat(batchSizes()).containsExactly(1, 5);
    Tensor a = responses.byId.get("a").outputs().get(0);
    Tensor b = responses.byId.get("b").outputs().get(0);
    assertThat(a.shape()).containsExactly(2, 1);
    assertThat(Requests.floats(a)).containsExactly(1f, 2f);
    assertThat(b.shape()).containsExactly(3, 1);
    assertThat(Requests.floats(b)).containsExactly(3f, 4f, 5f);
  }

  @Test
  void shouldDispatchAPreferredSizeAndThenTheRestWhenAnInstanceFrees() throws Exception {
    start(Configs.dynamic(8).preferredBatchSizes(2).maxQueueDelayMicros(ONE_HOUR_MICROS).build());
    occupy(2);
    submit("a", 1f);
    submit("b", 2f);
    submit("c", 3f);
    instance.release();
    responses.awaitAnswers(4);

    // The blocker, then the preferred size 2, then what is left: a free instance never waits.
    assertThat(batchSizes()).containsExactly(2, 2, 1);
    Wait.until(() -> scheduler.pendingCount() == 0);
  }

  @Test
  void shouldChooseTheLargestPreferredSizeWhenSeveralFit() throws Exception {
    start(
        Configs.dynamic(8).preferredBatchSizes(2, 4).maxQueueDelayMicros(ONE_HOUR_MICROS).build());
    occupy(2);
    for (int i = 0; i < 5; i++) {
      submit("r" + i, i);
    }
    instance.release();
    responses.awaitAnswers(6);

    assertThat(batchSizes()).containsExactly(2, 4, 1);
  }

  @Test
  void shouldNotHoldARequestForAFullerBatchWhenAnInstanceIsFree() {
    // Even with an hour of queue delay allowed: an idle server dispatches at once.
    start(Configs.dynamic(8).preferredBatchSizes(2).maxQueueDelayMicros(ONE_HOUR_MICROS).build());
    submit("a", 1f);
    assertThat(responses.awaitOutcome("a").ok()).isTrue();
    submit("b", 2f);
    assertThat(responses.awaitOutcome("b").ok()).isTrue();

    assertThat(batchSizes()).containsExactly(1, 1);
  }

  @Test
  void shouldBatchEverythingQueuedWhileTheInstanceWasBusy() throws Exception {
    start(Configs.dynamic(8).maxQueueDelayMicros(ONE_HOUR_MICROS).build());
    occupy();
    for (int i = 0; i < 3; i++) {
      submit("q" + i, i);
    }
    instance.release();
    responses.awaitAnswers(4);

    assertThat(batchSizes()).containsExactly(1, 3);
  }

  @Test
  void shouldDispatchALoneRequestWhenTheQueueDelayExpires() {
    start(Configs.dynamic(8).maxQueueDelayMicros(100_000).build());
    submit("alone", 1f);

    assertThat(responses.awaitOutcome("alone").ok()).isTrue();
    assertThat(batchSizes()).containsExactly(1);
  }

  @Test
  void shouldDispatchAtOnceWhenTheDelayIsZeroAndAnInstanceIsIdle() {
    start(Configs.dynamic(8).build());
    submit("alone", 1f);

    assertThat(responses.awaitOutcome("alone").ok()).isTrue();
    assertThat(batchSizes()).containsExactly(1);
  }

  @Test
  void shouldEndTheBatchAtTheFirstRequestWithOtherShapes() throws Exception {
    start(Configs.dynamic(8).build());
    occupy();
    submit("a", 1f);
    submit("b", 2f);
    scheduler.submit(Requests.fp32("wide", responses, 3f, 3f).build());
    submit("c", 4f);
    instance.release();
    responses.awaitAnswers(5);

    assertThat(batchSizes()).containsExactly(1, 2, 1, 1);
    assertThat(Requests.floats(instance.batches.get(2).input("IN"))).containsExactly(3f, 3f);
    assertThat(responses.orderList()).containsExactly("blocker", "a", "b", "wide", "c");
  }

  @Test
  void shouldBatchDifferentShapesIntoOneFlatTensorWhenTheInputIsRagged() throws Exception {
    instance.outputs(DynamicBatchingTest::rowNumbers);
    start(Configs.dynamic(8).raggedInputs(Set.of("IN")).build());
    occupy();
    scheduler.submit(Requests.fp32("two", responses, 1f, 2f).build());
    scheduler.submit(Requests.fp32("three", responses, 3f, 4f, 5f).build());
    instance.release();
    responses.awaitAnswers(3);

    FakeInstance.Recorded batch = instance.batches.get(1);
    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.input("IN").shape()).containsExactly(5);
    assertThat(Requests.floats(batch.input("IN"))).containsExactly(1f, 2f, 3f, 4f, 5f);
    assertThat(Requests.floats(responses.byId.get("two").outputs().get(0))).containsExactly(0f);
    assertThat(Requests.floats(responses.byId.get("three").outputs().get(0))).containsExactly(1f);
  }

  @Test
  void shouldSplitBytesOutputsAtRowBoundariesWhenElementsDifferInLength() throws Exception {
    start(Configs.dynamic(8).build());
    occupy();
    scheduler.submit(bytesRequest("a", "x", "yy"));
    scheduler.submit(bytesRequest("b", "zzz"));
    instance.release();
    responses.awaitAnswers(3);

    assertThat(batchSizes()).containsExactly(1, 3);
    Tensor a = responses.byId.get("a").outputs().get(0);
    assertThat(a.shape()).containsExactly(2, 1);
    assertThat(Requests.strings(a)).containsExactly("x", "yy");
    assertThat(Requests.strings(responses.byId.get("b").outputs().get(0))).containsExactly("zzz");
  }

  @Test
  void shouldRequestTheUnionOfOutputsAndAnswerEachOnlyItsOwnWhenRequestsDiffer() throws Exception {
    start(Configs.dynamic(8).build());
    occupy();
    scheduler.submit(Requests.fp32("a", responses, 1f).requestedOutputs(List.of("OUT")).build());
    scheduler.submit(Requests.fp32("b", responses, 2f).requestedOutputs(List.of("OUT2")).build());
    instance.release();
    responses.awaitAnswers(3);

    assertThat(instance.batches.get(1).requestedOutputs()).containsExactly("OUT", "OUT2");
    assertThat(responses.byId.get("a").outputs()).extracting(Tensor::name).containsExactly("OUT");
    assertThat(responses.byId.get("b").outputs()).extracting(Tensor::name).containsExactly("OUT2");
    assertThat(Requests.floats(responses.byId.get("b").outputs().get(0))).containsExactly(2f);
  }

  @Test
  void shouldAnswerInRequestOrderWhenInstancesFinishOutOfOrder() throws Exception {
    FakeInstance slow = new FakeInstance("slow").hold();
    FakeInstance fast = new FakeInstance("fast");
    start(Configs.dynamic(1).preserveOrdering(true).build(), slow, fast);
    submit("first", 1f);
    slow.awaitEntered(1);
    submit("second", 2f);
    fast.awaitEntered(1);
    Wait.until(() -> fast.completed.get() == 1);
    slow.release();
    responses.awaitAnswers(2);

    assertThat(responses.orderList()).containsExactly("first", "second");
    assertThat(responses.byId.get("first").ok()).isTrue();
    assertThat(responses.byId.get("second").ok()).isTrue();
  }

  @Test
  void shouldFreeBothInstancesForLaterRequestsWhenOrderedAnswersWereDelivered() throws Exception {
    FakeInstance slow = new FakeInstance("slow").hold();
    FakeInstance fast = new FakeInstance("fast");
    start(Configs.dynamic(1).preserveOrdering(true).build(), slow, fast);
    submit("first", 1f);
    slow.awaitEntered(1);
    submit("second", 2f);
    fast.awaitEntered(1);
    slow.release();
    responses.awaitAnswers(2);

    submit("third", 3f);
    submit("fourth", 4f);

    assertThat(responses.awaitOutcome("third").ok()).isTrue();
    assertThat(responses.awaitOutcome("fourth").ok()).isTrue();
  }

  private InferenceRequest bytesRequest(String id, String... rows) {
    return InferenceRequest.builder()
        .id(id)
        .inputs(List.of(Requests.bytesTensor("IN", rows)))
        .requestedOutputs(List.of("OUT"))
        .batchSize(rows.length)
        .listener(responses)
        .build();
  }

  /** An output "OUT" of shape [batch, 1] holding each row's number. */
  private static List<Tensor> rowNumbers(io.tensorgate.backend.Batch batch) {
    ByteBuffer b = ByteBuffer.allocate(batch.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < batch.size(); i++) {
      b.putFloat(i);
    }
    b.flip();
    return List.of(new Tensor("OUT", DataType.FP32, new long[] {batch.size(), 1}, b));
  }

  @Test
  void shouldSplitTheQueueEvenlyOverInstancesWhenSeveralAreBusy() throws Exception {
    FakeInstance second = new FakeInstance("i1");
    start(Configs.dynamic(16).build(), instance, second);
    instance.hold();
    second.hold();
    submit("b0", 0f);
    submit("b1", 1f);
    instance.awaitEntered(1);
    second.awaitEntered(1);
    for (int i = 0; i < 8; i++) {
      submit("q" + i, i);
    }
    Wait.until(() -> scheduler.queueDepth() == 8);
    // The first instance to free takes its share (half of the queue), not everything.
    instance.release();
    responses.awaitAnswers(1 + 4);
    assertThat(instance.batches.get(1).size()).isEqualTo(4);
    second.release();
    responses.awaitAnswers(10);
    assertThat(instance.batches.size() + second.batches.size()).isGreaterThanOrEqualTo(4);
  }
}
