package io.tensorgate.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which requests may share a batch: same inputs, same shapes past the batch dimension. */
class ShapeRuleTest {
  private final ShapeRule batched = new ShapeRule(true, Set.of());
  private final Responses responses = new Responses();

  private static Tensor tensor(String name, DataType type, long... shape) {
    return new Tensor(name, type, shape, ByteBuffer.allocate(0));
  }

  private InferenceRequest request(Tensor... inputs) {
    return InferenceRequest.builder()
        .id("r")
        .inputs(List.of(inputs))
        .requestedOutputs(List.of("OUT"))
        .listener(responses)
        .build();
  }

  private InferenceRequest fp32(long... shape) {
    return request(tensor("IN", DataType.FP32, shape));
  }

  @Test
  void shouldBatchRequestsWhoseShapesDifferOnlyInTheBatchDimension() {
    assertThat(batched.compatible(fp32(1, 3), fp32(4, 3))).isTrue();
  }

  @Test
  void shouldNotBatchRequestsWhoseRowsDiffer() {
    assertThat(batched.compatible(fp32(1, 3), fp32(1, 4))).isFalse();
  }

  @Test
  void shouldNotBatchRequestsWhoseRanksDiffer() {
    assertThat(batched.compatible(fp32(1, 3), fp32(1, 3, 1))).isFalse();
  }

  @Test
  void shouldCompareEveryDimensionWhenTheModelDoesNotBatch() {
    ShapeRule unbatched = new ShapeRule(false, Set.of());

    assertThat(unbatched.compatible(fp32(1, 3), fp32(2, 3))).isFalse();
    assertThat(unbatched.compatible(fp32(2, 3), fp32(2, 3))).isTrue();
  }

  @Test
  void shouldIgnoreTheShapesOfRaggedInputs() {
    ShapeRule ragged = new ShapeRule(true, Set.of("IN"));

    assertThat(ragged.compatible(fp32(1, 3), fp32(1, 7, 2))).isTrue();
  }

  @Test
  void shouldStillCompareTheOtherInputsWhenOneIsRagged() {
    ShapeRule ragged = new ShapeRule(true, Set.of("IN"));
    InferenceRequest a =
        request(tensor("IN", DataType.FP32, 1, 3), tensor("MASK", DataType.BOOL, 1, 3));
    InferenceRequest b =
        request(tensor("IN", DataType.FP32, 1, 9), tensor("MASK", DataType.BOOL, 1, 9));

    assertThat(ragged.compatible(a, b)).isFalse();
  }

  @Test
  void shouldNotBatchRequestsWhoseInputsDifferInNameTypeOrCount() {
    InferenceRequest in = fp32(1, 3);

    assertThat(batched.compatible(in, request(tensor("OTHER", DataType.FP32, 1, 3)))).isFalse();
    assertThat(batched.compatible(in, request(tensor("IN", DataType.INT32, 1, 3)))).isFalse();
    assertThat(
            batched.compatible(
                in, request(tensor("IN", DataType.FP32, 1, 3), tensor("IN2", DataType.FP32, 1, 3))))
        .isFalse();
  }

  @Test
  void shouldNeverBatchAMirroredRequestWithAClientOne() {
    InferenceRequest client = fp32(1, 3);
    InferenceRequest mirrored =
        InferenceRequest.builder()
            .id("m")
            .inputs(List.of(tensor("IN", DataType.FP32, 1, 3)))
            .requestedOutputs(List.of("OUT"))
            .mirrored(true)
            .listener(responses)
            .build();

    assertThat(batched.compatible(client, mirrored)).isFalse();
    assertThat(batched.compatible(mirrored, mirrored)).isTrue();
  }
}
