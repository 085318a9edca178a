package io.tensorgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InferRequestTest {
  private static InferParameter int64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  private static InferParameter bool(boolean v) {
    return InferParameter.newBuilder().setBoolParam(v).build();
  }

  @Test
  void shouldSendInputsAsRawContentsInOrderWhenBuilt() {
    ModelInferRequest p =
        InferRequest.builder("simple")
            .version("2")
            .id("r1")
            .input(InferInput.of("INPUT0", new int[] {1}, 1))
            .input(InferInput.of("INPUT1", new int[] {2}, 1))
            .build()
            .toProto();
    assertThat(p.getModelName()).isEqualTo("simple");
    assertThat(p.getModelVersion()).isEqualTo("2");
    assertThat(p.getId()).isEqualTo("r1");
    assertThat(p.getInputsList()).extracting(t -> t.getName()).containsExactly("INPUT0", "INPUT1");
    assertThat(p.getInputs(0).getDatatype()).isEqualTo("INT32");
    assertThat(p.getInputs(0).getShapeList()).containsExactly(1L);
    assertThat(p.getRawInputContents(1).toByteArray()).containsExactly(2, 0, 0, 0);
    assertThat(p.getInputs(0).hasContents()).isFalse();
  }

  @Test
  void shouldSetTritonsParameterTypesWhenSchedulingOptionsAreGiven() {
    ModelInferRequest p =
        InferRequest.builder("m")
            .priority(1)
            .timeout(Duration.ofMillis(5))
            .sequence(42, true, false)
            .routingKey("user-7")
            .build()
            .toProto();
    assertThat(p.getParametersMap())
        .containsEntry("priority", InferParameter.newBuilder().setUint64Param(1).build())
        .containsEntry("timeout", int64(5000))
        .containsEntry("sequence_id", int64(42))
        .containsEntry("sequence_start", bool(true))
        .containsEntry("sequence_end", bool(false))
        .containsEntry(
            "tensorgate-routing-key", InferParameter.newBuilder().setStringParam("user-7").build());
  }

  @Test
  void shouldSendStringSequenceIdWhenGivenAString() {
    ModelInferRequest p = InferRequest.builder("m").sequence("abc", false, true).build().toProto();
    assertThat(p.getParametersMap().get("sequence_id").getStringParam()).isEqualTo("abc");
  }

  @Test
  void shouldAskForClassesWhenAnOutputIsAClassification() {
    ModelInferRequest p =
        InferRequest.builder("m")
            .output("a")
            .output(RequestedOutput.classification("b", 3))
            .build()
            .toProto();
    assertThat(p.getOutputs(0).getParametersMap()).isEmpty();
    assertThat(p.getOutputs(1).getParametersMap()).containsEntry("classification", int64(3));
  }

  @Test
  void shouldSkipRawContentsAndNameTheRegionWhenAnInputIsInSharedMemory() {
    ModelInferRequest p =
        InferRequest.builder("m")
            .input(InferInput.sharedMemory("a", Datatype.FP32, new long[] {1, 4}, "in", 16, 32))
            .input(InferInput.of("b", new float[] {1}, 1))
            .output(RequestedOutput.sharedMemory("y", "out", 16, 0))
            .build()
            .toProto();
    assertThat(p.getRawInputContentsCount()).isEqualTo(1);
    assertThat(p.getInputs(0).getParametersMap())
        .containsEntry(
            "shared_memory_region", InferParameter.newBuilder().setStringParam("in").build())
        .containsEntry("shared_memory_byte_size", int64(16))
        .containsEntry("shared_memory_offset", int64(32));
    assertThat(p.getOutputs(0).getParametersMap())
        .containsEntry("shared_memory_byte_size", int64(16))
        .doesNotContainKey("shared_memory_offset");
  }

  @Test
  void shouldKnowAnOutputIsInSharedMemoryWhenTheRequestPutItThere() {
    // Triton does not mark such outputs in its answer: only the request knows.
    InferRequest r =
        InferRequest.builder("m").output(RequestedOutput.sharedMemory("y", "out", 4, 0)).build();
    ModelInferResponse answer =
        ModelInferResponse.newBuilder()
            .addOutputs(
                ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName("y")
                    .setDatatype("FP32")
                    .addShape(1))
            .addRawOutputContents(ByteString.EMPTY)
            .build();
    assertThat(r.result(answer, "").output("y").inSharedMemory()).isTrue();
    assertThat(InferResult.of(answer).output("y").inSharedMemory()).isFalse();
  }

  @Test
  void shouldRefuseEmptyModelNameWhenBuilding() {
    assertThatThrownBy(() -> InferRequest.builder("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldRefuseClassCountBelowOneWhenAskingForClasses() {
    assertThatThrownBy(() -> RequestedOutput.classification("y", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeepTheDeadlineOutOfTheMessageWhenSet() {
    InferRequest r = InferRequest.builder("m").deadline(Duration.ofSeconds(3)).build();
    assertThat(r.deadline()).isEqualTo(Duration.ofSeconds(3));
    assertThat(r.toProto().getParametersMap()).isEmpty();
  }
}
