package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.Batch;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ExecutionResult;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where a batch's inputs end up: gathered once into the instance's own memory when it offers some,
 * passed through untouched when a lone request's input is already one direct buffer.
 */
class BatchAssemblerTest {
  private final OfferingInstance instance = new OfferingInstance();
  private final BatchAssembler assembler = new BatchAssembler(true, Set.of(), null, instance);
  private final BatchPlan plan = new BatchPlan(8, true);

  @Test
  void shouldGatherBatchedInputsIntoInstanceMemoryWhenTheInstanceOffersIt() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1, 2}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {3, 4}, true)));

    Batch batch = assembler.assemble(plan);

    assertThat(instance.offered).hasSize(1);
    assertThat(batch.inInstanceMemory(0)).isTrue();
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(1, 2, 3, 4);
    // The batch's input is the offered memory itself: a write there shows through.
    instance.offered.get(0).putFloat(0, 9f);
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(9, 2, 3, 4);
  }

  @Test
  void shouldPassALoneDirectInputThroughWhenItNeedsNoCopy() {
    Tensor direct = Requests.fp32Tensor("IN", 1, new float[] {1, 2}, true);
    plan.add(request(direct));

    Batch batch = assembler.assemble(plan);

    assertThat(instance.offered).isEmpty();
    assertThat(batch.inInstanceMemory(0)).isFalse();
    assertThat(batch.inputs().get(0)).isSameAs(direct);
  }

  @Test
  void shouldGatherALoneHeapInputIntoInstanceMemoryWhenItIsNotDirect() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {5, 6}, false)));

    Batch batch = assembler.assemble(plan);

    assertThat(batch.inInstanceMemory(0)).isTrue();
    assertThat(batch.inputs().get(0).isDirect()).isTrue();
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(5, 6);
  }

  @Test
  void shouldGatherSegmentsInOrderWhenAnInputArrivedInPieces() {
    ByteBuffer first = floats(1, 2);
    ByteBuffer second = floats(3, 4, 5, 6);
    Tensor pieces =
        Tensor.ofSegments("IN", DataType.FP32, new long[] {1, 6}, List.of(first, second));
    plan.add(request(pieces));

    Batch batch = assembler.assemble(plan);

    assertThat(pieces.segmentCount()).isEqualTo(2);
    assertThat(batch.inInstanceMemory(0)).isTrue();
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void shouldUseItsOwnBuffersWhenTheInstanceOffersNoMemory() {
    BatchAssembler plain = new BatchAssembler(true, Set.of(), null, new FakeInstance("plain"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false)));

    Batch batch = plain.assemble(plan);

    assertThat(batch.inInstanceMemory(0)).isFalse();
    assertThat(batch.inputs().get(0).isDirect()).isTrue();
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(1, 2);
  }

  @Test
  void shouldConcatenateRaggedInputsIntoOneFlatTensorWhenShapesDiffer() {
    BatchAssembler ragged = new BatchAssembler(true, Set.of("IN"), null, instance);
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1, 2}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {3, 4, 5}, false)));

    Tensor in = ragged.assemble(plan).inputs().get(0);

    assertThat(in.shape()).containsExactly(5);
    assertThat(Requests.floats(in)).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void shouldFlattenALoneDirectRaggedInputWithoutCopying() {
    BatchAssembler ragged = new BatchAssembler(true, Set.of("IN"), null, instance);
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1, 2, 3}, true)));

    Tensor in = ragged.assemble(plan).inputs().get(0);

    assertThat(in.shape()).containsExactly(3);
    assertThat(instance.offered).isEmpty();
  }

  @Test
  void shouldSetTheBatchDimensionToTheSumOfTheRows() {
    plan.add(request(Requests.fp32Tensor("IN", 2, new float[] {1, 2}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {3}, false)));

    Batch batch = assembler.assemble(plan);

    assertThat(batch.size()).isEqualTo(3);
    assertThat(batch.inputs().get(0).shape()).containsExactly(3, 1);
  }

  @Test
  void shouldKeepTheRequestsShapeWhenTheModelDoesNotBatch() {
    BatchAssembler unbatched = new BatchAssembler(false, Set.of(), null, instance);
    BatchPlan one = new BatchPlan(1, false);
    one.add(request(Requests.fp32Tensor("IN", 2, new float[] {1, 2, 3, 4}, false)));

    Batch batch = unbatched.assemble(one);

    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.inputs().get(0).shape()).containsExactly(2, 2);
  }

  @Test
  void shouldFillAnEmptySlotWithAZeroRowShapedLikeTheFirstRequest() {
    plan.addSlot(null, null);
    plan.addSlot(request(Requests.fp32Tensor("IN", 1, new float[] {7, 8}, false)), null);

    Tensor in = assembler.assemble(plan).inputs().get(0);

    assertThat(in.shape()).containsExactly(2, 2);
    assertThat(Requests.floats(in)).containsExactly(0, 0, 7, 8);
  }

  @Test
  void shouldFillAnEmptyBytesSlotWithEmptyElements() {
    plan.addSlot(null, null);
    plan.addSlot(request(Requests.bytesTensor("IN", "hello")), null);

    Tensor in = assembler.assemble(plan).inputs().get(0);

    assertThat(in.byteSize()).isEqualTo(4 + 4 + 5);
    assertThat(Requests.strings(in)).containsExactly("", "hello");
  }

  @Test
  void shouldWriteEveryZeroByteWhenARowIsNotAMultipleOfEight() {
    ByteBuffer dirty = ByteBuffer.allocate(16);
    dirty.put(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}).clear();

    BatchAssembler.putZeros(dirty, 11);

    assertThat(dirty.position()).isEqualTo(11);
    assertThat(dirty.array()).startsWith(new byte[11]).endsWith(9, 9, 9, 9, 9);
  }

  @Test
  void shouldUseItsOwnBufferWhenTheOfferedMemoryIsTooSmall() {
    BatchAssembler stingy = new BatchAssembler(true, Set.of(), null, new StingyInstance());
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false)));

    Batch batch = stingy.assemble(plan);

    assertThat(batch.inInstanceMemory(0)).isFalse();
    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(1, 2);
  }

  @Test
  void shouldGrowItsBufferWhenALaterBatchIsLarger() {
    BatchAssembler plain = new BatchAssembler(true, Set.of(), null, new FakeInstance("plain"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false)));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false)));
    plain.assemble(plan);
    plan.clear();
    for (int i = 0; i < 5; i++) {
      plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {i}, false)));
    }

    Batch batch = plain.assemble(plan);

    assertThat(Requests.floats(batch.inputs().get(0))).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void shouldRequestTheUnionOfOutputsInTheModelsOrderWhenRequestsAskForDifferentOnes() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "A", "C"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "B", "C"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {3}, false), "C", "D"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("A", "B", "C", "D");
  }

  @Test
  void shouldInsertANameBeforeTheFirstListedNameThatFollowsIt() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "C"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "A", "B", "C"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("A", "B", "C");
  }

  @Test
  void shouldAskForTheSharedOutputsOnceWhenEveryRequestAsksForTheSame() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "B", "A"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "B", "A"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("B", "A");
  }

  private static InferenceRequest request(Tensor input, String... outputs) {
    return InferenceRequest.builder()
        .inputs(List.of(input))
        .requestedOutputs(List.of(outputs))
        .batchSize((int) input.shape()[0])
        .listener(new Responses())
        .build();
  }

  @Test
  void shouldForgetThePreviousBatchsOutputsWhenTheNextAsksForOthers() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "A"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "B"));
    assembler.assemble(plan);
    plan.clear();
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "C"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "D"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("C", "D");
  }

  @Test
  void shouldListASharedFirstOutputOnce() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "A"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "A", "B"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("A", "B");
  }

  @Test
  void shouldInsertBeforeTheNearestFollowingName() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "C", "D"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "A", "C", "D"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("A", "C", "D");
  }

  @Test
  void shouldKeepTheOrderOfSeveralNewNamesWhenAppended() {
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {1}, false), "A"));
    plan.add(request(Requests.fp32Tensor("IN", 1, new float[] {2}, false), "X", "Y"));

    assertThat(assembler.assemble(plan).requestedOutputs()).containsExactly("A", "X", "Y");
  }

  @Test
  void shouldMarkEachInputGatheredIntoInstanceMemory() {
    plan.add(
        requestOf(
            Requests.fp32Tensor("IN", 1, new float[] {1}, false),
            Requests.fp32Tensor("IN2", 1, new float[] {2}, false)));
    plan.add(
        requestOf(
            Requests.fp32Tensor("IN", 1, new float[] {3}, false),
            Requests.fp32Tensor("IN2", 1, new float[] {4}, false)));

    Batch batch = assembler.assemble(plan);

    assertThat(batch.inInstanceMemory(0)).isTrue();
    assertThat(batch.inInstanceMemory(1)).isTrue();
    assertThat(Requests.floats(batch.inputs().get(1))).containsExactly(2, 4);
  }

  private static InferenceRequest requestOf(Tensor... inputs) {
    return InferenceRequest.builder()
        .inputs(List.of(inputs))
        .requestedOutputs(List.of("OUT"))
        .batchSize(1)
        .listener(new Responses())
        .build();
  }

  private static InferenceRequest request(Tensor input) {
    return InferenceRequest.builder()
        .inputs(List.of(input))
        .requestedOutputs(List.of("OUT"))
        .batchSize((int) input.shape()[0])
        .listener(new Responses())
        .build();
  }

  private static ByteBuffer floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.flip();
  }

  /** Offers a buffer one byte too small for what it is asked. */
  private static final class StingyInstance implements ModelInstance {
    @Override
    public InstancePlacement placement() {
      return InstancePlacement.cpu("stingy");
    }

    @Override
    public ByteBuffer inputBuffer(String name, int bytes) {
      return ByteBuffer.allocateDirect(bytes - 1).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ExecutionResult execute(Batch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  /** Offers a direct buffer per call and remembers each. */
  private static final class OfferingInstance implements ModelInstance {
    final List<ByteBuffer> offered = new ArrayList<>();

    @Override
    public InstancePlacement placement() {
      return InstancePlacement.cpu("offering");
    }

    @Override
    public ByteBuffer inputBuffer(String name, int bytes) {
      ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
      offered.add(b);
      return b;
    }

    @Override
    public ExecutionResult execute(Batch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
