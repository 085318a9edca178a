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
