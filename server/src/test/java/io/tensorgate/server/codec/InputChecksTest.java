package io.tensorgate.server.codec;

import static io.tensorgate.server.Requests.input;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Triton's messages for inputs that do not fit the signature. */
class InputChecksTest {
  private static final ModelIo SIMPLE = FuzzModels.io(FuzzModels.SIMPLE);
  private static final ModelIo MIXED = FuzzModels.io(FuzzModels.MIXED);
  private static final RequestDecoder DECODER =
      new RequestDecoder(new SharedMemoryRegistry(Path.of("/nonexistent-shm")));

  private static void assertRefused(ModelInferRequest r, ModelIo io, String message) {
    assertThatThrownBy(() -> DECODER.decode(r, io, InferenceRequest.builder()))
        .isInstanceOf(InferenceException.class)
        .hasMessage(message);
  }

  @Test
  void shouldNameTheMissingInputWhenTooFewInputs() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .setId("r1")
            .addInputs(input("INPUT0", "INT32", 1, 16))
            .addRawInputContents(Requests.int32s(new int[16]))
            .build();

    assertRefused(
        r,
        SIMPLE,
        "[request id: r1] expected 2 inputs but got 1 inputs for model 'simple'. Got input(s)"
            + " ['INPUT0'], but missing required input(s) ['INPUT1']. Please provide all required"
            + " input(s).");
  }

  @Test
  void shouldGiveTheRangeWhenSomeInputsAreOptional() {
    assertRefused(
        ModelInferRequest.getDefaultInstance(),
        MIXED,
        "[request id: <id_unknown>] expected number of inputs between 1 and 11 but got 0 inputs"
            + " for model 'mixed'. Got input(s) [], but missing required input(s) ['F32']. Please"
            + " provide all required input(s).");
  }

  @Test
  void shouldRefuseAnInputWithAnExtraDimension() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setInputs(0, input("INPUT0", "INT32", 1, 16, 1)).build();

    assertThatThrownBy(() -> DECODER.decode(r, SIMPLE, InferenceRequest.builder()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining(
            "Expected [-1,16], got [1,16,1]. NOTE: Setting a non-zero max_batch_size");
  }

  @Test
  void shouldExpectTheDeclaredShapeWithoutNoteWhenTheModelDoesNotBatch() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("F32", "FP32", 2, 5))
            .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[40]))
            .build();

    assertRefused(
        r,
        MIXED,
        "[request id: <id_unknown>] unexpected shape for input 'F32' for model 'mixed'. Expected"
            + " [-1,4], got [2,5]. ");
  }

  @Test
  void shouldRefuseANegativeDimensionEvenWhereTheModelsDimensionIsVariable() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("F32", "FP32", -1, 4))
            .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[16]))
            .build();

    assertRefused(
        r,
        MIXED,
        "[request id: <id_unknown>] All input dimensions should be specified for input 'F32' for"
            + " model 'mixed', got [-1,4]");
  }
}
