package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The control and state inputs {@link SequenceInputs} appends for a batch's slots: one row per
 * slot, an empty slot not ready and zero, the kept state of a sequence's previous request.
 */
class SequenceSlotInputsTest {
  private final Responses responses = new Responses();

  private static SequenceConfig.Control control(SequenceConfig.ControlKind kind, DataType type) {
    return new SequenceConfig.Control(kind.name(), kind, type, 2, 5);
  }

  private static SequenceConfig config(
      List<SequenceConfig.Control> controls, List<SequenceConfig.State> states) {
    return new SequenceConfig(0, SequenceConfig.Strategy.DIRECT, 1, 0, controls, states);
  }

  private InferenceRequest step(long id, boolean start, boolean end) {
    return Requests.fp32("r" + id, responses, 1f)
        .sequence(new InferenceRequest.SequenceControl(id, null, start, end))
        .build();
  }

  private static List<Tensor> append(SequenceInputs inputs, BatchPlan plan) {
    List<Tensor> out = new ArrayList<>();
    inputs.append(plan, plan.count(), out);
    return out;
  }

  private static int[] ints(Tensor t) {
    ByteBuffer b = t.data();
    int[] out = new int[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt();
    }
    return out;
  }

  @Test
  void shouldWriteEachSlotsFlagsWithTheConfiguredValuesWhenSlotsDiffer() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(
                List.of(
                    control(SequenceConfig.ControlKind.START, DataType.INT32),
                    control(SequenceConfig.ControlKind.END, DataType.INT32),
                    control(SequenceConfig.ControlKind.READY, DataType.INT32)),
                List.of()),
            true);
    BatchPlan plan = new BatchPlan(3, true);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 0, 0));
    plan.addSlot(null, null);
    plan.addSlot(step(3, false, true), new ActiveSequence(3L, 0, 0));

    List<Tensor> controls = append(inputs, plan);

    assertThat(controls).extracting(Tensor::name).containsExactly("START", "END", "READY");
    assertThat(controls.get(0).shape()).containsExactly(3, 1);
    assertThat(ints(controls.get(0))).containsExactly(5, 2, 2);
    assertThat(ints(controls.get(1))).containsExactly(2, 2, 5);
    assertThat(ints(controls.get(2))).containsExactly(5, 2, 5);
  }

  @Test
  void shouldShapeControlsAsOneValueWhenTheModelDoesNotBatch() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(List.of(control(SequenceConfig.ControlKind.READY, DataType.INT32)), List.of()),
            false);
    BatchPlan plan = new BatchPlan(1, false);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 0, 0));

    assertThat(append(inputs, plan).get(0).shape()).containsExactly(1);
  }

  @Test
  void shouldWriteTheExactIdAndZeroForAnEmptySlotWhenCorridIsAnInteger() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(
                List.of(
                    control(SequenceConfig.ControlKind.CORRID, DataType.UINT64),
                    control(SequenceConfig.ControlKind.CORRID, DataType.INT16),
                    control(SequenceConfig.ControlKind.CORRID, DataType.INT8),
                    control(SequenceConfig.ControlKind.CORRID, DataType.UINT32),
                    control(SequenceConfig.ControlKind.CORRID, DataType.FP32)),
                List.of()),
            true);
    BatchPlan plan = new BatchPlan(2, true);
    long id = (1L << 53) + 1;
    plan.addSlot(step(id, true, false), new ActiveSequence(id, 0, 0));
    plan.addSlot(null, null);

    List<Tensor> corrids = append(inputs, plan);

    assertThat(corrids.get(0).data().getLong(0)).isEqualTo(id);
    assertThat(corrids.get(0).data().getLong(8)).isZero();
    assertThat(corrids.get(1).byteSize()).isEqualTo(4);
    assertThat(corrids.get(1).data().getShort(0)).isEqualTo((short) id);
    assertThat(corrids.get(2).byteSize()).isEqualTo(2);
    assertThat(corrids.get(2).data().get(0)).isEqualTo((byte) id);
    assertThat(corrids.get(3).data().getInt(0)).isEqualTo((int) id);
    assertThat(corrids.get(4).data().getFloat(0)).isEqualTo((float) id);
  }

  @Test
  void shouldWriteTheIdAsTextAndAnEmptyStringForAnEmptySlotWhenCorridIsBytes() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(List.of(control(SequenceConfig.ControlKind.CORRID, DataType.BYTES)), List.of()),
            true);
    BatchPlan plan = new BatchPlan(3, true);
    plan.addSlot(step(-1L, true, false), new ActiveSequence(-1L, 0, 0));
    plan.addSlot(null, null);
    InferenceRequest named =
        Requests.fp32("s", responses, 1f)
            .sequence(new InferenceRequest.SequenceControl(0, "émile", true, false))
            .build();
    plan.addSlot(named, new ActiveSequence("émile", 0, 0));

    Tensor corrid = append(inputs, plan).get(0);

    assertThat(Requests.strings(corrid)).containsExactly("18446744073709551615", "", "émile");
  }

  @Test
  void shouldGiveZeroStatesWithUnknownDimsAsOneWhenSequencesStart() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {-1, 2});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    BatchPlan plan = new BatchPlan(2, true);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 1, 0));
    plan.addSlot(null, null);

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.name()).isEqualTo("S_IN");
    assertThat(s.shape()).containsExactly(2, 1, 2);
    assertThat(Requests.floats(s)).containsExactly(0, 0, 0, 0);
    assertThat(inputs.stateOutputs()).containsExactly("S_OUT");
  }

  @Test
  void shouldGiveEmptyElementsAsTheZeroStateWhenTheStateIsBytes() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.BYTES, new long[] {2});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), false);
    BatchPlan plan = new BatchPlan(1, false);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 1, 0));

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.shape()).containsExactly(2);
    assertThat(Requests.strings(s)).containsExactly("", "");
  }

  @Test
  void shouldFeedTheKeptStateExceptOnStartWhenASequenceGoesOn() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {1});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    ActiveSequence goingOn = new ActiveSequence(1L, 1, 0);
    goingOn.states[0] = Requests.fp32Tensor("S_OUT", 1, new float[] {7f}, false);
    ActiveSequence restarted = new ActiveSequence(2L, 1, 0);
    restarted.states[0] = Requests.fp32Tensor("S_OUT", 1, new float[] {9f}, false);
    BatchPlan plan = new BatchPlan(2, true);
    plan.addSlot(step(2, true, false), restarted);
    plan.addSlot(step(1, false, false), goingOn);

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.shape()).containsExactly(2, 1);
    assertThat(Requests.floats(s)).containsExactly(0f, 7f);
  }

  @Test
  void shouldKeepEachSlotsStateRowAndForgetItAtTheEnd() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {1});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    ActiveSequence ending = new ActiveSequence(1L, 1, 0);
    ending.states[0] = Requests.fp32Tensor("S_OUT", 1, new float[] {1f}, false);
    ActiveSequence goingOn = new ActiveSequence(2L, 1, 0);
    BatchPlan plan = new BatchPlan(3, true);
    plan.addSlot(step(1, false, true), ending);
    plan.addSlot(null, null);
    plan.addSlot(step(2, false, false), goingOn);
    OutputScatter scatter = new OutputScatter(true);
    scatter.begin(List.of(Requests.fp32Tensor("S_OUT", 3, new float[] {4f, 5f, 6f}, false)), 3);

    inputs.keepStates(plan, scatter);

    assertThat(ending.states[0]).isNull();
    assertThat(Requests.floats(goingOn.states[0])).containsExactly(6f);
  }

  @Test
  void shouldGrowItsBuffersWhenALaterBatchNeedsMore() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(List.of(control(SequenceConfig.ControlKind.CORRID, DataType.BYTES)), List.of()),
            true);
    BatchPlan small = new BatchPlan(1, true);
    small.addSlot(step(1, true, false), new ActiveSequence(1L, 0, 0));
    append(inputs, small);
    BatchPlan large = new BatchPlan(8, true);
    for (int i = 0; i < 8; i++) {
      long id = Long.MAX_VALUE - i;
      large.addSlot(step(id, true, false), new ActiveSequence(id, 0, 0));
    }

    Tensor corrid = append(inputs, large).get(0);

    assertThat(Requests.strings(corrid))
        .hasSize(8)
        .allMatch(s -> s.startsWith("92233720368547758"));
  }

  @Test
  void shouldKeepEachControlAndStateInItsOwnBufferWhenThereAreSeveralStates() {
    SequenceConfig.State s1 =
        new SequenceConfig.State("S1_IN", "S1_OUT", DataType.FP32, new long[] {1});
    SequenceConfig.State s2 =
        new SequenceConfig.State("S2_IN", "S2_OUT", DataType.FP32, new long[] {1});
    SequenceInputs inputs =
        new SequenceInputs(
            config(
                List.of(control(SequenceConfig.ControlKind.START, DataType.INT32)),
                List.of(s1, s2)),
            true);
    BatchPlan plan = new BatchPlan(1, true);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 2, 0));

    List<Tensor> appended = append(inputs, plan);

    assertThat(appended).extracting(Tensor::name).containsExactly("START", "S1_IN", "S2_IN");
    assertThat(ints(appended.get(0))).containsExactly(5);
  }

  @Test
  void shouldHoldEveryRowWhenControlsOfManySlotsPassTheFirstBufferSize() {
    SequenceInputs inputs =
        new SequenceInputs(
            config(List.of(control(SequenceConfig.ControlKind.CORRID, DataType.INT64)), List.of()),
            true);
    BatchPlan plan = new BatchPlan(9, true);
    for (int i = 0; i < 9; i++) {
      plan.addSlot(step(i + 1, true, false), new ActiveSequence((long) i + 1, 0, 0));
    }

    Tensor corrid = append(inputs, plan).get(0);

    assertThat(corrid.byteSize()).isEqualTo(72);
    assertThat(corrid.data().getLong(64)).isEqualTo(9);
  }

  @Test
  void shouldShapeZeroRowsLikeTheKeptStateWhenTheConfigLeavesDimsOpen() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {-1});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    ActiveSequence goingOn = new ActiveSequence(1L, 1, 0);
    goingOn.states[0] = Requests.fp32Tensor("S_OUT", 1, new float[] {7f, 8f, 9f}, false);
    BatchPlan plan = new BatchPlan(2, true);
    plan.addSlot(step(2, true, false), new ActiveSequence(2L, 1, 0));
    plan.addSlot(step(1, false, false), goingOn);

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.shape()).containsExactly(2, 3);
    assertThat(Requests.floats(s)).containsExactly(0f, 0f, 0f, 7f, 8f, 9f);
  }

  @Test
  void shouldHoldEveryRowWhenZeroStatesPassTheFirstBufferSize() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {32});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    BatchPlan plan = new BatchPlan(1, true);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 1, 0));

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.byteSize()).isEqualTo(128);
  }

  @Test
  void shouldKeepAZeroDimensionOfAStateAsZero() {
    SequenceConfig.State state =
        new SequenceConfig.State("S_IN", "S_OUT", DataType.FP32, new long[] {2, 0});
    SequenceInputs inputs = new SequenceInputs(config(List.of(), List.of(state)), true);
    BatchPlan plan = new BatchPlan(1, true);
    plan.addSlot(step(1, true, false), new ActiveSequence(1L, 1, 0));

    Tensor s = append(inputs, plan).get(0);

    assertThat(s.shape()).containsExactly(1, 2, 0);
    assertThat(s.byteSize()).isZero();
  }
}
