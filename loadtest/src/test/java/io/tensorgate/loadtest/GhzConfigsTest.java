package io.tensorgate.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.MethodDescriptor;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.ModelInferRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ghz configs in loadtest/ghz: they use only ghz's config keys with ghz's value types (the
 * schema of ghz's runner.Config, as {@link GhzConfig#KEYS} lists it), parse into this repository's
 * protos, and run unchanged on this harness.
 */
class GhzConfigsTest {

  private static final Path GHZ = Path.of("ghz");

  static Stream<Path> configs() throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(GHZ)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(7);
    return files.stream();
  }

  static Stream<Path> inferConfigs() throws Exception {
    return configs().filter(p -> p.getFileName().toString().startsWith("simple-"));
  }

  private static JsonNode read(Path config) throws Exception {
    return new ObjectMapper().readTree(config.toFile());
  }

  /** The request message the config's call takes, parsed strictly from its "data". */
  private static Message request(JsonNode config) throws Exception {
    String call = config.get("call").asText();
    MethodDescriptor<?, ?> method =
        GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods().stream()
            .filter(m -> m.getFullMethodName().equals(call))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no method " + call));
    Message.Builder builder = prototype(method).newBuilderForType();
    JsonFormat.parser().merge(config.get("data").toString(), builder);
    return builder.build();
  }

  private static Message prototype(MethodDescriptor<?, ?> method) {
    return (Message)
        ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
            .getMessagePrototype();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void shouldNameProtoAndMethodOfThisRepositoryWhenRead(Path config) throws Exception {
    JsonNode json = read(config);

    assertThat(GHZ.resolve(json.get("proto").asText())).exists();
    assertThat(GHZ.resolve(json.get("import-paths").get(0).asText()).resolve("model_config.proto"))
        .exists();
    assertThat(json.get("insecure").asBoolean()).isTrue();
    assertThat(json.get("concurrency").asInt()).isPositive();
    assertThat(json.has("duration") || json.has("total")).isTrue();
    assertThat(request(json)).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void shouldUseOnlyGhzKeysWithGhzTypesWhenRead(Path config) throws Exception {
    JsonNode json = read(config);
    StringWriter warnings = new StringWriter();

    GhzConfig.Arguments arguments = GhzConfig.arguments(json, new PrintWriter(warnings));

    assertThat(json.properties())
        .extracting(Map.Entry::getKey)
        .allSatisfy(key -> assertThat(GhzConfig.KEYS).containsKey(key));
    assertThat(warnings.toString()).isEmpty();
    assertThat(arguments.host()).isEqualTo("127.0.0.1:8001");
  }

  @ParameterizedTest
  @MethodSource("configs")
  void shouldRunUnchangedWhenOnlyHostAndLengthAreOverridden(Path config) throws Exception {
    try (EchoServer echo = EchoServer.builder().port(0).start()) {
      String length = read(config).has("duration") ? "-z=300ms" : "-n=300";

      Cli cli =
          Cli.execute(
              "--config", config.toString(), length, "-O", "json", "127.0.0.1:" + echo.port());

      assertThat(cli.exitCode()).as(cli.err()).isZero();
      JsonNode report = new ObjectMapper().readTree(cli.out());
      JsonNode expected = read(config);
      assertThat(report.get("options").get("concurrency").asInt())
          .isEqualTo(expected.get("concurrency").asInt());
      assertThat(report.get("options").get("call").asText())
          .isEqualTo(expected.get("call").asText());
      JsonNode statuses = report.get("statusCodeDistribution");
      assertThat(statuses.get("OK").asLong()).isPositive();
      // Only -z runs end with calls in flight, which ghz's default --duration-stop close fails.
      assertThat(report.get("count").asLong() - statuses.get("OK").asLong())
          .isEqualTo(statuses.path("Unavailable").asLong());
    }
  }

  @ParameterizedTest
  @MethodSource("inferConfigs")
  void shouldCarrySimpleInputsWhenParsedIntoModelInferRequest(Path config) throws Exception {
    ModelInferRequest request = (ModelInferRequest) request(read(config));

    assertThat(request.getModelName()).isEqualTo("simple");
    assertThat(request.getInputsList())
        .extracting(ModelInferRequest.InferInputTensor::getName)
        .containsExactly("INPUT0", "INPUT1");
    assertThat(request.getInputsList())
        .allSatisfy(
            input -> {
              assertThat(input.getDatatype()).isEqualTo("INT32");
              assertThat(input.getShapeList()).containsExactly(1L, 16L);
            });
    List<Integer> input0;
    if (config.getFileName().toString().contains("-raw-")) {
      assertThat(request.getInputsList())
          .noneMatch(ModelInferRequest.InferInputTensor::hasContents);
      assertThat(request.getRawInputContentsList())
          .hasSize(2)
          .allSatisfy(raw -> assertThat(raw.size()).isEqualTo(64));
      ByteBuffer raw =
          request.getRawInputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      input0 = Stream.generate(raw::getInt).limit(16).toList();
    } else {
      assertThat(request.getRawInputContentsCount()).isZero();
      assertThat(request.getInputs(1).getContents().getIntContentsCount()).isEqualTo(16);
      input0 = request.getInputs(0).getContents().getIntContentsList();
    }
    assertThat(input0).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
}
