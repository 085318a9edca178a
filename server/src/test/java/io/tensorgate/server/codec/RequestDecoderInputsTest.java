package io.tensorgate.server.codec;

import static io.tensorgate.server.Requests.input;
import static io.tensorgate.server.Requests.int32s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.server.Requests;
import org.junit.jupiter.api.Test;

/**
 * Decoding inputs against Triton's 'simple' and 'simple_string' signatures: datatypes, shapes,
 * batch sizes, raw, typed and shared-memory contents.
 */
class RequestDecoderInputsTest extends RequestDecoderTestBase {
  @Test
  void shouldRefuseAnInputOfTheWrongDatatype() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setInputs(0, input("INPUT0", "FP32", 1, 16)).build();

    assertRefused(
        r,
        SIMPLE,
        "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'");
  }

  @Test
  void shouldRefuseAnInputOfTheWrongShape() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setInputs(0, input("INPUT0", "INT32", 2, 8)).build();

    assertRefused(
        r,
        SIMPLE,
        "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [2,8]");
  }

  @Test
  void shouldRefuseAnInputWithoutTheBatchDimension() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setInputs(0, input("INPUT0", "INT32")).build();

    assertRefused(r, SIMPLE, "input 'INPUT0' has no shape but model requires batch dimension");
  }

  @Test
  void shouldRefuseInputsWhoseBatchSizesDiffer() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("INPUT0", "INT32", 0, 16))
            .addInputs(input("INPUT1", "INT32", 2, 16))
            .addRawInputContents(ByteString.EMPTY)
            .addRawInputContents(int32s(new int[32]))
            .build();

    assertRefused(r, SIMPLE, "input 'INPUT1' batch size does not match other inputs");
  }

  @Test
  void shouldAcceptTheModelsMaxBatchSize() throws Exception {
    assertThat(decode(Requests.simple(8), SIMPLE).batchSize()).isEqualTo(8);
  }

  @Test
  void shouldRefuseABatchAboveTheModelsMaxBatchSize() {
    assertRefused(
        Requests.simple(9), SIMPLE, "inference request batch-size must be <= 8 for 'simple'");
  }

  @Test
  void shouldRefuseABatchOfZero() {
    assertRefused(
        Requests.simple(0), SIMPLE, "inference request batch-size must be >= 1 for 'simple'");
  }

  @Test
  void shouldReportBatchSizeOneWhenTheModelDoesNotBatch() throws Exception {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(input("F32", "FP32", 3, 4))
            .addRawInputContents(ByteString.copyFrom(new byte[48]))
            .build();

    DecodedRequest d = decode(r, MIXED);

    assertThat(d.batchSize()).isEqualTo(1);
    assertThat(d.inputs())
        .singleElement()
        .satisfies(t -> assertThat(t.shape()).containsExactly(3, 4));
  }

  @Test
  void shouldRefuseMoreRawEntriesThanInputs() {
    ModelInferRequest r = Requests.simple(1).toBuilder().addRawInputContents(int32s(1)).build();

    assertRefused(r, SIMPLE, "expected 2 entries in raw_input_contents for model 'simple', got 3");
  }

  @Test
  void shouldRefuseFewerRawEntriesThanInputs() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .clearRawInputContents()
            .addRawInputContents(int32s(new int[16]))
            .build();

    assertRefused(
        r, SIMPLE, "unable to find data for input tensor 'INPUT1' for model 'simple' in request.");
  }

  @Test
  void shouldRefuseAnInputNamedTwice() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().setInputs(1, input("INPUT0", "INT32", 1, 16)).build();

    assertRefused(r, SIMPLE, "input 'INPUT0' already exists in request");
  }

  @Test
  void shouldRefuseTypedContentsBesideRawContents() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .setInputs(
                0,
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .setContents(InferTensorContents.newBuilder().addIntContents(1)))
            .build();

    assertRefused(r, SIMPLE, "contents field must not be specified when using raw_input_contents");
  }

  @Test
  void shouldReadTypedContentsWhenNoRawContents() throws Exception {
    DecodedRequest d =
        decode(Requests.simpleTyped(Requests.range(5, 16), Requests.range(0, 16)), SIMPLE);

    assertThat(ints(d.inputs().get(0))).startsWith(5, 6, 7).hasSize(16);
  }

  @Test
  void shouldReadAnInputFromSharedMemoryBesideARawInput() throws Exception {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(shmInput("INPUT0", "INT32", 64, 64))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(int32s(Requests.range(100, 16)))
            .build();

    DecodedRequest d = decode(r, SIMPLE);

    assertThat(ints(d.inputs().get(0))).startsWith(16, 17).endsWith(31);
    assertThat(ints(d.inputs().get(1))).startsWith(100, 101).endsWith(115);
  }

  @Test
  void shouldRefuseSharedMemoryOfTheWrongSizeForTheShape() {
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(shmInput("INPUT0", "INT32", 0, 60))
            .addInputs(shmInput("INPUT1", "INT32", 0, 64))
            .build();

    assertRefused(
        r,
        SIMPLE,
        "input byte size mismatch for input 'INPUT0' for model 'simple'. Expected 64, got 60");
  }

  @Test
  void shouldRefuseAnInputRegionThatIsNotRegistered() {
    InferInputTensor in =
        shmInput("INPUT0", "INT32", 0, 64).toBuilder()
            .putParameters("shared_memory_region", string("gone"))
            .build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(in)
            .addInputs(shmInput("INPUT1", "INT32", 0, 64))
            .build();

    assertThatThrownBy(() -> decode(r, SIMPLE))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void shouldRefuseContentsBesideSharedMemory() {
    InferInputTensor in =
        shmInput("INPUT0", "INT32", 0, 64).toBuilder()
            .setContents(InferTensorContents.newBuilder().addIntContents(1))
            .build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(in)
            .addInputs(shmInput("INPUT1", "INT32", 0, 64))
            .build();

    assertRefused(
        r,
        SIMPLE,
        "unexpected 'content' provided when using shared memory for input tensor 'INPUT0'");
  }

  @Test
  void shouldReadBytesFromSharedMemoryWhenFramingFits() throws Exception {
    InferInputTensor in =
        shmInput("INPUT0", "BYTES", 0, 64).toBuilder()
            .putParameters("shared_memory_region", string("zeros"))
            .build();
    ModelInferRequest r =
        ModelInferRequest.newBuilder()
            .addInputs(in)
            .addInputs(input("INPUT1", "BYTES", 1, 16))
            .addRawInputContents(Requests.bytesTensor(new byte[16][0]))
            .build();

    DecodedRequest d = decode(r, STRING);

    // Sixteen empty strings: sixteen zero lengths.
    assertThat(d.inputs().get(0).byteSize()).isEqualTo(64);
  }

  @Test
  void shouldAcceptAnInputWithParametersButNoSharedMemory() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .setInputs(
                0,
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .putParameters("binary_data_size", int64(64)))
            .build();

    assertThat(ints(decode(r, SIMPLE).inputs().get(0))).startsWith(0, 1, 2);
  }
}
