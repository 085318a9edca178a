package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.InferTensorContents;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EchoServerTest {

  private EchoServer echo;
  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    echo = EchoServer.builder().port(0).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", echo.port()).usePlaintext().build();
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    echo.close();
  }

  private static ModelInferRequest.Builder simpleRequest() {
    return ModelInferRequest.newBuilder()
        .setModelName("simple")
        .setId("req-7")
        .addInputs(input("INPUT0"))
        .addInputs(input("INPUT1"));
  }

  private static ModelInferRequest.InferInputTensor.Builder input(String name) {
    return ModelInferRequest.InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype("INT32")
        .addAllShape(List.of(1L, 16L));
  }

  @Test
  void shouldCopyRawInputsToOutputsWhenModelInferCalled() {
    ByteString first = ByteString.copyFrom(new byte[64]);
    ByteString second =
        ByteString.copyFrom(TensorEncoding.random(WireType.INT32, 16, new SplittableRandom(3)));

    ModelInferResponse response =
        stub.modelInfer(
            simpleRequest().addRawInputContents(first).addRawInputContents(second).build());

    assertThat(response.getRawOutputContentsList()).containsExactly(first, second);
    assertThat(response.getOutputsList())
        .extracting(ModelInferResponse.InferOutputTensor::getName)
        .containsExactly("OUTPUT0", "OUTPUT1");
    assertThat(response.getOutputs(1).getShapeList()).containsExactly(1L, 16L);
    assertThat(response.getOutputs(1).getDatatype()).isEqualTo("INT32");
    assertThat(response.getId()).isEqualTo("req-7");
  }

  @Test
  void shouldNameOutputsAfterRequestedOutputsWhenGiven() {
    ModelInferRequest request =
        simpleRequest()
            .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("SUM"))
            .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("DIFF"))
            .addRawInputContents(ByteString.copyFrom(new byte[64]))
            .addRawInputContents(ByteString.copyFrom(new byte[64]))
            .build();

    assertThat(stub.modelInfer(request).getOutputsList())
        .extracting(ModelInferResponse.InferOutputTensor::getName)
        .containsExactly("SUM", "DIFF");
  }

  @Test
  void shouldCopyTypedContentsWhenRequestUsesContents() {
    InferTensorContents contents =
        InferTensorContents.newBuilder().addAllIntContents(List.of(1, 2, 3)).build();
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("simple")
            .addInputs(
                input("INPUT0").clearShape().addAllShape(List.of(1L, 3L)).setContents(contents))
            .build();

    ModelInferResponse response = stub.modelInfer(request);

    assertThat(response.getOutputs(0).getContents()).isEqualTo(contents);
    assertThat(response.getRawOutputContentsCount()).isZero();
  }

  @Test
  void shouldAnswerNotFoundWhenModelUnknown() {
    assertThatThrownBy(() -> stub.modelInfer(simpleRequest().setModelName("nope").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void shouldDescribeBatchDimensionWhenModelBatches() {
    ModelMetadataResponse metadata =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build());

    assertThat(metadata.getInputs(0).getShapeList()).containsExactly(-1L, 16L);
    assertThat(
            stub.modelConfig(ModelConfigRequest.newBuilder().setName("simple").build())
                .getConfig()
                .getMaxBatchSize())
        .isEqualTo(8);
  }

  @Test
  void shouldDiscoverConfiguredSignatureWhenRunAsksForIt() {
    ModelSignature discovered = ModelSignature.discover(stub, "simple", "");

    assertThat(discovered).isEqualTo(ModelSignature.simple());
  }
}
