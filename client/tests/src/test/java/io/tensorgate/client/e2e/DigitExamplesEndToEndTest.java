package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tensorgate.client.Classification;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferResult;
import io.tensorgate.client.RequestedOutput;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sample digit classifiers give real answers: every committed example image and request is
 * classified as the digit its file name says, by the server loading the sample repository itself.
 */
class DigitExamplesEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    // Copies of the sample models, examples folders included.
    new TestRepository(repo).withSampleModel("cnn_digits").withSampleModel("mlp_classifier");
    server = RunningServer.start(repo);
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  static List<Path> pngs() {
    return Digits.examples(Digits.EXAMPLES, ".png");
  }

  static List<Path> requests() {
    return List.of(Digits.EXAMPLES, Digits.EXAMPLES.resolveSibling("../mlp_classifier/examples"))
        .stream()
        .flatMap(d -> Digits.examples(d.normalize(), ".json").stream())
        .toList();
  }

  @Test
  void shouldCommitAnExampleOfEveryDigitWhenExamplesAreGenerated() {
    assertThat(pngs()).extracting(Digits::digitOf).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(requests()).hasSize(20);
  }

  @ParameterizedTest
  @MethodSource("pngs")
  void shouldClassifyTheImageAsItsDigitWhenSentToCnnDigits(Path png) throws Exception {
    InferResult r =
        client.infer(
            InferRequest.builder("cnn_digits")
                .input(InferInput.of("image", Digits.pixels(png), 1, 1, 28, 28))
                .output(RequestedOutput.classification("probabilities", 1))
                .build());
    Classification top = r.output("probabilities").asClassifications().get(0);
    assertThat(top.index()).isEqualTo(Digits.digitOf(png));
    assertThat(top.score()).isGreaterThan(0.5f);
  }

  @ParameterizedTest
  @MethodSource("requests")
  void shouldClassifyTheRequestAsItsDigitWhenSentAsGrpcurlWould(Path json) throws Exception {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder();
    JsonFormat.parser().merge(Files.readString(json), request);
    request
        .addOutputsBuilder()
        .setName("probabilities")
        .putParameters(
            "classification",
            io.tensorgate.proto.inference.InferParameter.newBuilder().setInt64Param(1).build());
    var response =
        GRPCInferenceServiceGrpc.newBlockingStub(client.channel())
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .modelInfer(request.build());
    Classification top =
        InferResult.of(response).output("probabilities").asClassifications().get(0);
    assertThat(top.index()).isEqualTo(Digits.digitOf(json));
    assertThat(top.label())
        .isEqualTo(
            List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
                .get(Digits.digitOf(json)));
  }

  @ParameterizedTest
  @MethodSource("pngs")
  void shouldHoldTheSamePixelsWhenTheImageIsAlsoARequest(Path png) throws Exception {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder();
    JsonFormat.parser()
        .merge(
            Files.readString(
                png.resolveSibling(png.getFileName().toString().replace(".png", ".json"))),
            request);
    float[] fromJson = new float[784];
    for (int i = 0; i < 784; i++) {
      fromJson[i] = request.getInputs(0).getContents().getFp32Contents(i);
    }
    assertThat(fromJson).isEqualTo(Digits.pixels(png));
  }

  @Test
  void shouldServeOnlyVersionOneWhenAModelFolderHoldsExamples() {
    assertThat(repo.resolve("cnn_digits/examples")).isDirectory();
    assertThat(client.modelMetadata("cnn_digits").getVersionsList()).containsExactly("1");
    assertThat(client.modelMetadata("mlp_classifier").getVersionsList()).containsExactly("1");
  }
}
