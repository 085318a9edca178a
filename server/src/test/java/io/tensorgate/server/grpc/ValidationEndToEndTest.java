package io.tensorgate.server.grpc;

import static io.tensorgate.server.Requests.input;
import static io.tensorgate.server.Requests.int32s;
import static io.tensorgate.server.Requests.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input gets a precise status before any backend work, with Triton's code and wording;
 * the server keeps serving afterwards.
 */
class ValidationEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple").withSampleModel("simple_identity");
    server = RunningServer.start(repo);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static void assertStatus(ModelInferRequest req, Status.Code code, String message) {
    assertThatThrownBy(() -> server.blocking().modelInfer(req))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  private static ModelInferRequest.Builder simple() {
    return Requests.simple(1).toBuilder();
  }

  @Test
  void shouldAnswerNotFoundWhenModelUnknown() {
    assertStatus(
        simple().setModelName("nope").build(),
        Status.Code.NOT_FOUND,
        "Request for unknown model: 'nope' is not found");
  }

  @Test
  void shouldAnswerNotFoundWhenVersionUnknown() {
    assertStatus(
        simple().setModelVersion("3").build(),
        Status.Code.NOT_FOUND,
        "Request for unknown model: 'simple' version 3 is not found");
  }

  @Test
  void shouldAnswerInvalidArgumentWhenVersionIsNotANumber() {
    assertStatus(
        simple().setModelVersion("x1").build(),
        Status.Code.INVALID_ARGUMENT,
        "version should be an integral value > 0");
  }

  @Test
  void shouldNameMissingInputWhenOneIsAbsent() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(input("INPUT0", "INT32", 1, 16))
            .addRawInputContents(int32s(range(0, 16)))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "expected 2 inputs but got 1 inputs for model 'simple'. Got input(s) ['INPUT0'], but"
            + " missing required input(s) ['INPUT1']. Please provide all required input(s).");
  }

  @Test
  void shouldRejectUnknownInputName() {
    ModelInferRequest req = simple().setInputs(1, input("INPUT9", "INT32", 1, 16)).build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected inference input 'INPUT9' for model 'simple'");
  }

  @Test
  void shouldRejectExtraInput() {
    ModelInferRequest req =
        simple()
            .addInputs(input("INPUT2", "INT32", 1, 16))
            .addRawInputContents(int32s(range(0, 16)))
            .build();
    assertStatus(req, Status.Code.INVALID_ARGUMENT, "expected 2 inputs but got 3 inputs");
  }

  @Test
  void shouldRejectWrongDatatype() {
    ModelInferRequest req = simple().setInputs(0, input("INPUT0", "FP32", 1, 16)).build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'");
  }

  @Test
  void shouldRejectWrongShapeWithExpectedShape() {
    ModelInferRequest req =
        simple()
            .setInputs(0, input("INPUT0", "INT32", 1, 15))
            .setRawInputContents(0, int32s(range(0, 15)))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [1,15]");
  }

  @Test
  void shouldRejectMissingBatchDimension() {
    ModelInferRequest req =
        simple()
            .setInputs(0, input("INPUT0", "INT32", 16))
            .setInputs(1, input("INPUT1", "INT32", 16))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [16]");
  }

  @Test
  void shouldRejectBatchLargerThanMaxBatchSize() {
    assertStatus(
        Requests.simple(9),
        Status.Code.INVALID_ARGUMENT,
        "inference request batch-size must be <= 8 for 'simple'");
  }

  @Test
  void shouldRejectRawByteSizeMismatch() {
    ModelInferRequest req = simple().setRawInputContents(1, int32s(range(0, 17))).build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "input byte size mismatch for input 'INPUT1' for model 'simple'. Expected 64, got 68");
  }

  @Test
  void shouldRejectContentsTogetherWithRaw() {
    ModelInferRequest req =
        simple()
            .setInputs(
                0,
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .setContents(InferTensorContents.newBuilder().addIntContents(1)))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "contents field must not be specified when using raw_input_contents for 'INPUT0' for"
            + " model 'simple'");
  }

  @Test
  void shouldRejectTypedContentsOfWrongType() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0", "INT32", 1, 16).toBuilder()
                    .setContents(InferTensorContents.newBuilder().addFp32Contents(1f)))
            .addInputs(
                input("INPUT1", "INT32", 1, 16).toBuilder()
                    .setContents(InferTensorContents.newBuilder().addIntContents(1)))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected explicit tensor data for input tensor 'INPUT0' for model 'simple' of type"
            + " 'FP32', expected datatype 'INT32'");
  }

  @Test
  void shouldRejectShapeWhoseElementCountOverflows() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, Long.MAX_VALUE / 2 + 1, 4))
            .addRawInputContents(Requests.bytesTensor(new byte[1]))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected shape for input 'INPUT0' for model 'simple_identity'. Expected [-1,-1]");
    ModelInferRequest flat =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 4, Long.MAX_VALUE / 2 + 1))
            .addRawInputContents(Requests.bytesTensor(new byte[1]))
            .build();
    assertStatus(
        flat,
        Status.Code.INVALID_ARGUMENT,
        "unexpected integer overflow while calculating element count");
  }

  @Test
  void shouldRejectNegativeDimension() {
    ModelInferRequest req = simple().setInputs(0, input("INPUT0", "INT32", -1, 16)).build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "All input dimensions should be specified for input 'INPUT0' for model 'simple'");
  }

  @Test
  void shouldRejectBytesWithTruncatedLengthPrefix() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, 1))
            .addRawInputContents(ByteString.copyFrom(new byte[] {1, 0}))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "incomplete string length indicator for inference input 'INPUT0'");
  }

  @Test
  void shouldRejectBytesWithMoreElementsThanShape() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, 1))
            .addRawInputContents(Requests.bytesTensor(new byte[] {1}, new byte[] {2}))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unexpected number of string elements 2 for inference input 'INPUT0' for model"
            + " 'simple_identity', expecting 1");
  }

  @Test
  void shouldRejectBytesWhoseLengthExceedsData() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, 1))
            .addRawInputContents(ByteString.copyFrom(new byte[] {100, 0, 0, 0, 1, 2}))
            .build();
    assertStatus(req, Status.Code.INVALID_ARGUMENT, "declares 100 bytes but only 2 bytes remain");
  }

  @Test
  void shouldRejectBytesWithFewerElementsThanShape() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(input("INPUT0", "BYTES", 1, 3))
            .addRawInputContents(Requests.bytesTensor(new byte[] {1}))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "expected 3 string elements for inference input 'INPUT0' for model 'simple_identity', got 1");
  }

  @Test
  void shouldRejectUnknownRequestedOutput() {
    ModelInferRequest req =
        simple()
            .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("OUT9"))
            .build();
    assertStatus(
        req, Status.Code.INVALID_ARGUMENT, "unexpected inference output 'OUT9' for model 'simple'");
  }

  @Test
  void shouldRejectMissingData() {
    ModelInferRequest req =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(input("INPUT0", "INT32", 1, 16))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "unable to find data for input tensor 'INPUT0' for model 'simple' in request.");
  }

  @Test
  void shouldRejectReservedTritonParameter() {
    ModelInferRequest req =
        simple()
            .putParameters("triton_x", InferParameter.newBuilder().setBoolParam(true).build())
            .build();
    assertStatus(
        req, Status.Code.INVALID_ARGUMENT, "parameter keys starting with 'triton_' are reserved");
  }

  @Test
  void shouldRejectPriorityOfWrongType() {
    ModelInferRequest req =
        simple()
            .putParameters("priority", InferParameter.newBuilder().setStringParam("1").build())
            .build();
    assertStatus(
        req,
        Status.Code.INVALID_ARGUMENT,
        "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
  }

  @Test
  void shouldPrefixRequestIdInValidationMessages() {
    ModelInferRequest req =
        simple().setId("abc").setInputs(0, input("INPUT0", "FP32", 1, 16)).build();
    assertStatus(req, Status.Code.INVALID_ARGUMENT, "[request id: abc] inference input 'INPUT0'");
  }

  @Test
  void shouldCountRejectedRequestsAsFailuresAndKeepServing() {
    long before = failures();
    assertStatus(
        simple().setInputs(0, input("INPUT0", "FP32", 1, 16)).build(),
        Status.Code.INVALID_ARGUMENT,
        "data-type");
    assertThat(failures()).isEqualTo(before + 1);
    assertThat(server.blocking().modelInfer(Requests.simple(1)).getOutputsCount()).isEqualTo(2);
  }

  private static long failures() {
    return server
        .blocking()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
        .getModelStats(0)
        .getInferenceStats()
        .getFail()
        .getCount();
  }
}
