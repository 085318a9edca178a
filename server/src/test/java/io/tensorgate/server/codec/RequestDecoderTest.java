package io.tensorgate.server.codec;

import static io.tensorgate.server.Requests.input;
import static io.tensorgate.server.Requests.int32s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Tensor;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.tensorgate.server.Requests;
import io.tensorgate.server.repository.FuzzModels;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.shm.SharedMemoryRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding outcomes against Triton's 'simple' and 'simple_string' signatures. */
class RequestDecoderTest {
  private static final ModelIo SIMPLE = FuzzModels.io(FuzzModels.SIMPLE);
  private static final ModelIo STRING = FuzzModels.io(FuzzModels.STRING);
  private static final ModelIo MIXED = FuzzModels.io(FuzzModels.MIXED);

  @TempDir static Path shmRoot;

  private static RequestDecoder decoder;

  /** Region {@code r} maps 256 bytes, INT32 values 0..63; region {@code zeros} 64 zero bytes. */
  @BeforeAll
  static void setUp() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 64; i++) {
      b.putInt(i);
    }
    Files.write(shmRoot.resolve("region"), b.array());
    SharedMemoryRegistry shm = new SharedMemoryRegistry(shmRoot);
    shm.register("r", "/region", 0, 256);
    Files.write(shmRoot.resolve("zeros"), new byte[64]);
    shm.register("zeros", "/zeros", 0, 64);
    decoder = new RequestDecoder(shm);
  }

  private static DecodedRequest decode(ModelInferRequest r, ModelIo io) throws InferenceException {
    return decoder.decode(r, io, InferenceRequest.builder());
  }

  private static void assertRefused(ModelInferRequest r, ModelIo io, String message) {
    assertThatThrownBy(() -> decode(r, io))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  private static InferParameter int64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  private static InferParameter string(String v) {
    return InferParameter.newBuilder().setStringParam(v).build();
  }

  private static InferRequestedOutputTensor output(String name) {
    return InferRequestedOutputTensor.newBuilder().setName(name).build();
  }

  private static InferRequestedOutputTensor classified(String name, long n) {
    return output(name).toBuilder().putParameters("classification", int64(n)).build();
  }

  private static InferRequestedOutputTensor inShm(String name, String region, long size) {
    return output(name).toBuilder()
        .putParameters("shared_memory_region", string(region))
        .putParameters("shared_memory_byte_size", int64(size))
        .build();
  }

  private static InferInputTensor shmInput(String name, String type, long offset, long size) {
    return input(name, type, 1, 16).toBuilder()
        .putParameters("shared_memory_region", string("r"))
        .putParameters("shared_memory_offset", int64(offset))
        .putParameters("shared_memory_byte_size", int64(size))
        .build();
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
  void shouldReturnAllOutputsAndBatchSizeWhenNoOutputsNamed() throws Exception {
    DecodedRequest d = decode(Requests.simple(3), SIMPLE);

    assertThat(d.requestedOutputs()).containsExactly("OUTPUT0", "OUTPUT1");
    assertThat(d.batchSize()).isEqualTo(3);
    assertThat(d.outputOptions()).isNull();
    assertThat(ints(d.inputs().get(1))).containsOnly(1);
  }

  @Test
  void shouldFillTheSchedulerRequestWhenDecoded() throws Exception {
    ModelInferRequest r =
        Requests.simple(2).toBuilder()
            .setId("req-1")
            .putParameters("priority", int64(2))
            .putParameters("timeout", int64(900))
            .build();
    InferenceRequest.Builder into = InferenceRequest.builder();

    DecodedRequest d = decoder.decode(r, SIMPLE, into);

    assertThat(d.id()).isEqualTo("req-1");
    assertThat(d.priority()).isEqualTo(2);
    assertThat(d.timeoutMicros()).isEqualTo(900);
    assertThat(d.sequence()).isNull();
  }

  @Test
  void shouldReturnOnlyTheNamedOutputsInModelOrderWhenOutputsNamed() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT1"))
            .addOutputs(output("OUTPUT0"))
            .build();

    assertThat(decode(r, SIMPLE).requestedOutputs()).containsExactly("OUTPUT0", "OUTPUT1");
  }

  @Test
  void shouldReturnOnlyTheFirstOutputWhenOnlyItIsNamed() throws Exception {
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(output("OUTPUT0")).build();

    DecodedRequest d = decode(r, SIMPLE);

    assertThat(d.requestedOutputs()).containsExactly("OUTPUT0");
    assertThat(d.outputOptions()).isNull();
  }

  @Test
  void shouldRefuseAnOutputNamedTwice() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT1"))
            .addOutputs(output("OUTPUT1"))
            .build();

    assertRefused(r, SIMPLE, "output 'OUTPUT1' already exists in request");
  }

  @Test
  void shouldRefuseAnUnknownOutput() {
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(output("NOPE")).build();

    assertRefused(r, SIMPLE, "unexpected inference output 'NOPE' for model 'simple'");
  }

  @Test
  void shouldKeepTheClassificationCountWhenAnOutputAsksForIt() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0"))
            .addOutputs(classified("OUTPUT1", 3))
            .build();

    OutputOptions[] o = decode(r, SIMPLE).outputOptions();

    assertThat(o).hasSize(2);
    assertThat(o[0]).isNull();
    assertThat(o[1]).isEqualTo(new OutputOptions(3, null, 0, 0));
    assertThat(o[1].toSharedMemory()).isFalse();
  }

  @Test
  void shouldAcceptClassificationOfOne() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(classified("OUTPUT0", 1)).build();

    assertThat(decode(r, SIMPLE).outputOptions()[0].classification()).isEqualTo(1);
  }

  @Test
  void shouldRefuseClassificationOfZero() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(classified("OUTPUT0", 0)).build();

    assertRefused(r, SIMPLE, "invalid value for 'classification' parameter");
  }

  @Test
  void shouldRefuseClassificationWhenNotInt64() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0").toBuilder().putParameters("classification", string("3")))
            .build();

    assertRefused(r, SIMPLE, "invalid value type for 'classification' parameter");
  }

  @Test
  void shouldHaveNoOptionsWhenAnOutputCarriesOnlyOtherParameters() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder()
            .addOutputs(output("OUTPUT0").toBuilder().putParameters("binary_data", int64(1)))
            .build();

    assertThat(decode(r, SIMPLE).outputOptions()).isNull();
  }

  @Test
  void shouldKeepTheRegionWhenAnOutputGoesToSharedMemory() throws Exception {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(inShm("OUTPUT1", "r", 64)).build();

    OutputOptions o = decode(r, SIMPLE).outputOptions()[1];

    assertThat(o).isEqualTo(new OutputOptions(0, "r", 0, 64));
    assertThat(o.toSharedMemory()).isTrue();
  }

  @Test
  void shouldRefuseAnOutputRegionThatIsNotRegistered() {
    ModelInferRequest r =
        Requests.simple(1).toBuilder().addOutputs(inShm("OUTPUT1", "gone", 64)).build();

    assertThatThrownBy(() -> decode(r, SIMPLE))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void shouldRefuseAnOutputWithBothSharedMemoryAndClassification() {
    InferRequestedOutputTensor both =
        inShm("OUTPUT0", "r", 64).toBuilder().putParameters("classification", int64(1)).build();
    ModelInferRequest r = Requests.simple(1).toBuilder().addOutputs(both).build();

    assertRefused(r, SIMPLE, "output can't set both 'shared_memory_region' and 'classification'");
  }

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
