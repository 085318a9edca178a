package io.tensorgate.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.tensorgate.client.InferInput;
import io.tensorgate.client.InferRequest;
import io.tensorgate.client.InferenceServerException;
import io.tensorgate.client.TensorgateClient;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ModelDrift;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensorgate's extensions through the client's typed calls: routing (labels, canary, shadow,
 * rollback, events; the answering version surfaced) and drift monitoring. Model {@code simple} has
 * version 1 (a + b) and version 2 (a + b + 1), so an answer shows which version gave it.
 */
class ExtensionsEndToEndTest {
  @TempDir static Path repo;
  static RunningServer server;
  static TensorgateClient client;

  @BeforeAll
  static void start() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path model = repo.resolve("simple");
    Files.createDirectories(model.resolve("2"));
    Files.copy(
        TestRepository.PROJECT.resolve("testdata/onnx/add_sub_int32_v2.onnx"),
        model.resolve("2/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        model.resolve("config.pbtxt"),
        Files.readString(model.resolve("config.pbtxt"))
            + "version_policy: { all: {} }\n"
            + "parameters { key: \"drift_sample_rate\" value: { string_value: \"1\" } }\n"
            + "parameters { key: \"drift_reference_requests\" value: { string_value: \"5\" } }\n");
    server = RunningServer.start(repo);
    client = TensorgateClient.builder("127.0.0.1:" + server.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  private static InferRequest.Builder simple() {
    return InferRequest.builder("simple")
        .input(InferInput.of("INPUT0", new int[16], 1, 16))
        .input(InferInput.of("INPUT1", new int[16], 1, 16));
  }

  @Test
  void shouldAnswerFromTheLabelledVersionWhenTheRequestNamesALabel() {
    GetRoutingResponse r = client.routing().setLabel("simple", "golden", 1);
    assertThat(r.getRouting().getLabelsMap()).containsEntry("golden", 1L);
    var answer = client.infer(simple().version("golden").build());
    assertThat(answer.modelVersion()).isEqualTo("1");
    assertThat(answer.output("OUTPUT0").asInts()[0]).isEqualTo(0);
  }

  @Test
  void shouldSplitTheDefaultRouteAndStickByKeyWhenACanaryIsSet() {
    client.routing().setLabel("simple", "stable", 1);
    client
        .routing()
        .set(
            "simple",
            client.routing().get("simple").getRouting().toBuilder().setStableVersion(1).build(),
            "client test");
    client.routing().setCanary("simple", 2, 50);
    try {
      Set<String> versions = new HashSet<>();
      for (int i = 0; i < 40; i++) {
        versions.add(client.infer(simple().build()).modelVersion());
      }
      assertThat(versions).containsExactlyInAnyOrder("1", "2");
      String first = client.infer(simple().routingKey("user-17").build()).modelVersion();
      for (int i = 0; i < 10; i++) {
        assertThat(client.infer(simple().routingKey("user-17").build()).modelVersion())
            .isEqualTo(first);
      }
    } finally {
      client.routing().rollback("simple", "client test done");
    }
    assertThat(client.routing().get("simple").getRouting().hasCanary()).isFalse();
    assertThat(client.routing().events("simple", 0))
        .extracting(RoutingEvent::getKind)
        .contains("rollback");
  }

  @Test
  void shouldRefuseAnUnknownVersionWhenSettingACanary() {
    assertThatThrownBy(() -> client.routing().setCanary("simple", 9, 5))
        .isInstanceOfSatisfying(
            InferenceServerException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void shouldShowTheShadowWhenOneIsSet() {
    GetRoutingResponse r =
        client
            .routing()
            .setShadow("simple", Shadow.newBuilder().setVersion(2).setFraction(0.5).build());
    assertThat(r.getRouting().getShadow().getVersion()).isEqualTo(2);
    client.routing().setShadow("simple", Shadow.getDefaultInstance());
  }

  @Test
  void shouldReportDriftStateWhenTheModelSamplesRequests() {
    for (int i = 0; i < 10; i++) {
      client.infer(simple().version("1").build());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client.monitoring().drift("simple", "1").stream()
                    .anyMatch(d -> d.getState() == ModelDrift.State.MONITORING));
    assertThat(client.monitoring().resetReference("simple", "1"))
        .extracting(ModelDrift::getState)
        .containsOnly(ModelDrift.State.CAPTURING_REFERENCE);
  }
}
