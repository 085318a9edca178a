package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sequence batching: correlation, slots, control inputs, implicit state, idle expiry. */
class SequenceBatchingTest {
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

  private void start(SchedulerConfig config, FakeInstance... instances) {
    List<ModelInstance> list = new ArrayList<>(List.of(instances));
    if (list.isEmpty()) {
      list.add(instance);
    }
    for (ModelInstance i : list) {
      ((FakeInstance) i).outputs(SequenceBatchingTest::accumulate);
    }
    scheduler = Schedulers.create(config, list, BatchListener.NONE);
  }

  /** A stateful model: OUT and STATE_OUT are STATE_IN + IN, row by row. */
  private static SchedulerConfig.Builder model(
      int maxBatchSize, SequenceConfig.Strategy strategy, long idleMicros) {
    SequenceConfig sequence =
        new SequenceConfig(
            idleMicros,
            strategy,
            maxBatchSize,
            0,
            List.of(
                new SequenceConfig.Control(
                    "START", SequenceConfig.ControlKind.START, DataType.INT32, 0, 1),
                new SequenceConfig.Control(
                    "END", SequenceConfig.ControlKind.END, DataType.INT32, 0, 1),
                new SequenceConfig.Control(
                    "READY", SequenceConfig.ControlKind.READY, DataType.INT32, 0, 1),
                new SequenceConfig.Control(
                    "CORRID", SequenceConfig.ControlKind.CORRID, DataType.INT64, 0, 0)),
            List.of(
                new SequenceConfig.State("STATE_IN", "STATE_OUT", DataType.FP32, new long[] {1})));
    return SchedulerConfig.builder("seq:1").maxBatchSize(maxBatchSize).sequence(sequence);
  }

  private static SchedulerConfig direct(int maxBatchSize) {
    return model(maxBatchSize, SequenceConfig.Strategy.DIRECT, 0).build();
  }

  private InferenceRequest.Builder step(
      String id, long corrId, boolean start, boolean end, float value) {
    return Requests.fp32(id, responses, value)
        .sequence(new InferenceRequest.SequenceControl(corrId, null, start, end));
  }

  private void submit(InferenceRequest.Builder builder) {
    assertThat(scheduler.submit(builder.build())).isNull();
  }

  private float answer(String id) {
    Responses.Outcome outcome = responses.awaitOutcome(id);
    assertThat(outcome.ok()).as("%s: %s", id, outcome.error()).isTrue();
    return Requests.floats(outcome.outputs().get(0))[0];
  }

  private static int[] ints(Tensor t) {
    ByteBuffer b = t.data();
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }

  private static long[] longs(Tensor t) {
    ByteBuffer b = t.data();
    long[] out = new long[b.remaining() / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getLong();
    }
    return out;
  }

  @Test
  void shouldRefuseInTritonsWordsWhenTheRequestHasNoCorrelationId() {
    start(direct(2));
    InferenceError refused = scheduler.submit(Requests.fp32("x", responses, 1f).build());

    assertThat(refused)
        .isEqualTo(
            new InferenceError(
                ErrorCode.INVALID_ARGUMENT,
                "inference request to model 'seq' must specify a non-zero or non-empty correlation"
                    + " ID"));
  }

  @Test
  void shouldRefuseInTritonsWordsWhenAnUnknownSequenceDoesNotStart() {
    start(direct(2));
    InferenceError refused = scheduler.submit(step("x", 42, false, false, 1f).build());

    assertThat(refused)
        .isEqualTo(
            new InferenceError(
                ErrorCode.INVALID_ARGUMENT,
                "inference request for sequence 42 to model 'seq' must specify the START flag on"
                    + " the first request of the sequence"));
  }

  @Test
  void shouldCarryTheStateFromRequestToRequestWhenASequenceRuns() {
    start(direct(2));
    submit(step("a1", 7, true, false, 1f));
    submit(step("a2", 7, false, false, 2f));
    submit(step("a3", 7, false, true, 3f));

    assertThat(answer("a1")).isEqualTo(1f);
    assertThat(answer("a2")).isEqualTo(3f);
    assertThat(answer("a3")).isEqualTo(6f);
    assertThat(responses.byId.get("a1").outputs()).extracting(Tensor::name).containsExactly("OUT");
  }

  @Test
  void shouldStartFromZeroStateWhenASequenceStartsAgain() {
    start(direct(2));
    submit(step("a1", 7, true, false, 5f));
    submit(step("b1", 7, true, false, 1f));

    assertThat(answer("a1")).isEqualTo(5f);
    assertThat(answer("b1")).isEqualTo(1f);
  }

  @Test
  void shouldSetEachSlotsControlsWhenTwoSequencesShareABatch() throws Exception {
    start(direct(2));
    instance.hold();
    submit(step("a1", 11, true, false, 1f));
    instance.awaitEntered(1);
    submit(step("a2", 11, false, true, 2f));
    submit(step("b1", 22, true, false, 10f));
    instance.release();
    responses.awaitAnswers(3);

    FakeInstance.Recorded first = instance.batches.get(0);
    assertThat(first.size()).isEqualTo(1);
    assertThat(first.input("START").shape()).containsExactly(1, 1);
    FakeInstance.Recorded shared = instance.batches.get(1);
    assertThat(shared.size()).isEqualTo(2);
    assertThat(ints(shared.input("START"))).containsExactly(0, 1);
    assertThat(ints(shared.input("END"))).containsExactly(1, 0);
    assertThat(ints(shared.input("READY"))).containsExactly(1, 1);
    assertThat(longs(shared.input("CORRID"))).containsExactly(11, 22);
    assertThat(Requests.floats(shared.input("STATE_IN"))).containsExactly(1f, 0f);
    assertThat(shared.input("STATE_IN").shape()).containsExactly(2, 1);
    assertThat(answer("a2")).isEqualTo(3f);
    assertThat(answer("b1")).isEqualTo(10f);
  }

  @Test
  void shouldSendANotReadyRowForAnEmptySlotBelowABusyOne() throws Exception {
    start(direct(2));
    instance.hold();
    submit(step("a1", 11, true, false, 1f));
    instance.awaitEntered(1);
    submit(step("b1", 22, true, false, 10f));
    instance.release();
    responses.awaitAnswers(2);

    FakeInstance.Recorded batch = instance.batches.get(1);
    assertThat(batch.size()).isEqualTo(2);
    assertThat(ints(batch.input("READY"))).containsExactly(0, 1);
    assertThat(ints(batch.input("START"))).containsExactly(0, 1);
    assertThat(longs(batch.input("CORRID"))).containsExactly(0, 22);
    assertThat(Requests.floats(batch.input("IN"))).containsExactly(0f, 10f);
  }

  @Test
  void shouldWaitForAFreeSlotAndTakeItWhenASequenceEnds() throws Exception {
    start(direct(1));
    submit(step("a1", 1, true, false, 1f));
    assertThat(answer("a1")).isEqualTo(1f);
    submit(step("b1", 2, true, false, 100f));
    submit(step("a2", 1, false, true, 2f));

    assertThat(answer("a2")).isEqualTo(3f);
    assertThat(answer("b1")).isEqualTo(100f);
    assertThat(responses.orderList()).containsExactly("a1", "a2", "b1");
  }

  @Test
  void shouldFreeTheSlotAndForgetTheSequenceWhenItIsIdleTooLong() {
    start(model(1, SequenceConfig.Strategy.DIRECT, 1_000).build());
    submit(step("a1", 1, true, false, 1f));
    assertThat(answer("a1")).isEqualTo(1f);
    submit(step("b1", 2, true, true, 5f));

    assertThat(answer("b1")).isEqualTo(5f);
    InferenceError refused = scheduler.submit(step("a2", 1, false, false, 1f).build());
    assertThat(refused.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(refused.message()).contains("must specify the START flag");
  }

  @Test
  void shouldKeepEachSequenceOnOneInstanceWhenThereAreSeveral() {
    FakeInstance first = new FakeInstance("i0");
    FakeInstance second = new FakeInstance("i1");
    start(direct(1), first, second);
    submit(step("a1", 1, true, false, 1f));
    submit(step("b1", 2, true, false, 1f));
    submit(step("a2", 1, false, true, 1f));
    submit(step("b2", 2, false, true, 1f));
    responses.awaitAnswers(4);

    assertThat(responses.byId.get("a1").thread()).isEqualTo(responses.byId.get("a2").thread());
    assertThat(responses.byId.get("b1").thread()).isEqualTo(responses.byId.get("b2").thread());
    assertThat(responses.byId.get("a1").thread()).isNotEqualTo(responses.byId.get("b1").thread());
    assertThat(answer("a2")).isEqualTo(2f);
  }

  @Test
  void shouldUseUnbatchedShapesWhenTheModelDoesNotBatch() {
    start(direct(0));
    submit(
        InferenceRequest.builder()
            .id("a1")
            .inputs(List.of(new Tensor("IN", DataType.FP32, new long[] {1}, floats(4f))))
            .requestedOutputs(List.of("OUT"))
            .listener(responses)
            .sequence(new InferenceRequest.SequenceControl(3, null, true, true)));

    assertThat(answer("a1")).isEqualTo(4f);
    FakeInstance.Recorded batch = instance.batches.get(0);
    assertThat(batch.input("START").shape()).containsExactly(1);
    assertThat(batch.input("STATE_IN").shape()).containsExactly(1);
  }

  @Test
  void shouldPackOnlyReadyRequestsWhenTheStrategyIsOldest() throws Exception {
    start(model(4, SequenceConfig.Strategy.OLDEST, 0).build());
    instance.hold();
    submit(step("a1", 11, true, false, 1f));
    instance.awaitEntered(1);
    submit(step("b1", 22, true, false, 10f));
    instance.release();
    responses.awaitAnswers(2);

    FakeInstance.Recorded batch = instance.batches.get(1);
    assertThat(batch.size()).isEqualTo(1);
    assertThat(longs(batch.input("CORRID"))).containsExactly(22);
  }

  @Test
  void shouldAnswerACancelledStepAndGoOnWithTheSequence() throws Exception {
    start(direct(1));
    instance.hold();
    submit(step("a1", 1, true, false, 1f));
    instance.awaitEntered(1);
    AtomicBoolean cancelled = new AtomicBoolean(true);
    submit(step("a2", 1, false, false, 2f).cancellation(cancelled::get));
    submit(step("a3", 1, false, true, 3f));
    instance.release();

    assertThat(responses.awaitOutcome("a2").error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(answer("a3")).isEqualTo(4f);
    assertThat(instance.executions.get()).isEqualTo(2);
  }

  @Test
  void shouldPassAStringCorrelationIdAsBytesWhenCorridIsAString() {
    SequenceConfig sequence =
        new SequenceConfig(
            0,
            SequenceConfig.Strategy.DIRECT,
            0,
            0,
            List.of(
                new SequenceConfig.Control(
                    "CORRID", SequenceConfig.ControlKind.CORRID, DataType.BYTES, 0, 0)),
            List.of());
    scheduler =
        Schedulers.create(
            SchedulerConfig.builder("seq:1").maxBatchSize(2).sequence(sequence).build(),
            List.of(instance),
            BatchListener.NONE);
    scheduler.submit(
        Requests.fp32("s", responses, 1f)
            .sequence(new InferenceRequest.SequenceControl(0, "session-9", true, true))
            .build());
    responses.awaitAnswers(1);

    assertThat(Requests.strings(instance.batches.get(0).input("CORRID")))
        .containsExactly("session-9");
  }

  @Test
  void shouldKeepEverySequenceInOrderWhenManySequencesCompeteForFewSlots() throws Exception {
    FakeInstance first = new FakeInstance("i0");
    FakeInstance second = new FakeInstance("i1");
    start(direct(4), first, second);
    int threads = 4;
    int sequencesPerThread = 25;
    int steps = 10;
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = 1 + t * sequencesPerThread;
      Thread producer =
          new Thread(
              () -> {
                for (int step = 1; step <= steps; step++) {
                  for (int id = base; id < base + sequencesPerThread; id++) {
                    submit(step(id + "/" + step, id, step == 1, step == steps, step));
                  }
                }
              });
      producer.start();
      producers.add(producer);
    }
    for (Thread producer : producers) {
      producer.join(20_000);
    }
    int total = threads * sequencesPerThread * steps;
    responses.awaitAnswers(total);

    assertThat(responses.duplicates.get()).isZero();
    for (int id = 1; id <= threads * sequencesPerThread; id++) {
      for (int step = 1; step <= steps; step++) {
        assertThat(answer(id + "/" + step))
            .as("sequence %d step %d", id, step)
            .isEqualTo(step * (step + 1) / 2f);
      }
    }
  }

  private static ByteBuffer floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.flip();
  }

  /** OUT and STATE_OUT = STATE_IN + IN, shaped like IN. */
  private static List<Tensor> accumulate(Batch batch) {
    Tensor in =
        batch.inputs().stream().filter(t -> t.name().equals("IN")).findFirst().orElseThrow();
    Tensor state =
        batch.inputs().stream().filter(t -> t.name().equals("STATE_IN")).findFirst().orElseThrow();
    float[] x = Requests.floats(in);
    float[] s = Requests.floats(state);
    float[] sum = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      sum[i] = x[i] + s[i];
    }
    List<Tensor> out = new ArrayList<>();
    for (String name : batch.requestedOutputs()) {
      out.add(new Tensor(name, DataType.FP32, in.shape().clone(), floats(sum)));
    }
    return out;
  }
}
