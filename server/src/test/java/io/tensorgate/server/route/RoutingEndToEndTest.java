package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TensorgateServerBuilder;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.security.SecurityOptions;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingEndToEndTest {
  @TempDir Path repo;

  private RoutingFixture start(String model) throws Exception {
    RoutingFixture.writeModel(repo, model);
    return RoutingFixture.start(repo, model, RoutingFixture.fast());
  }

  private static SetLabelRequest label(String model, String label, long version) {
    return SetLabelRequest.newBuilder()
        .setModelName(model)
        .setLabel(label)
        .setVersion(version)
        .build();
  }

  @Test
  void shouldServeTheLabelledVersionWhenTheRequestNamesALabel() throws Exception {
    try (RoutingFixture f = start("labels")) {
      f.admin().setLabel(label("labels", "stable", 1));
      f.admin().setLabel(label("labels", "canary", 2));

      assertThat(f.infer("stable", 1).getModelVersion()).isEqualTo("1");
      assertThat(f.infer("canary", 1).getModelVersion()).isEqualTo("2");
      assertThat(f.infer("1", 1).getModelVersion()).isEqualTo("1");
      // Without a split, the default route is Triton's: the highest READY version.
      assertThat(f.infer("", 1).getModelVersion()).isEqualTo("2");
      assertThatThrownBy(() -> f.infer("beta", 1))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("'beta'", "labels");
              });
    }
  }

  @Test
  void shouldRefuseALabelWhenItsVersionIsNotReady() throws Exception {
    try (RoutingFixture f = start("notready")) {
      assertThatThrownBy(() -> f.admin().setLabel(label("notready", "stable", 7)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      assertThat(f.routing().getRouting()).isEqualTo(ModelRouting.getDefaultInstance());
    }
  }

  @Test
  void shouldNameTheAnsweringVersionWhenTheSplitChoosesIt() throws Exception {
    try (RoutingFixture f = start("split")) {
      f.admin()
          .setCanary(
              SetCanaryRequest.newBuilder()
                  .setModelName("split")
                  .setVersion(2)
                  .setWeightPercent(50)
                  .build());
      assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(1);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 40; i++) {
        seen.add(f.infer("", i).getModelVersion());
      }
      assertThat(seen).containsExactlyInAnyOrder("1", "2");
      for (int k = 0; k < 20; k++) {
        String first = f.inferWithKey("user-" + k).getModelVersion();
        for (int i = 0; i < 5; i++) {
          assertThat(f.inferWithKey("user-" + k).getModelVersion()).isEqualTo(first);
        }
      }
    }
  }

  @Test
  void shouldRefuseAShadowWhenItsSignatureDiffers() throws Exception {
    ScriptedBackend.writeModel(repo, "wide", "", 1); // same outputs, but input dims differ below
    Files.writeString(
        repo.resolve("wide/config.pbtxt"),
        Files.readString(repo.resolve("wide/config.pbtxt"))
            .replace("dims: [16] }]\noutput", "dims: [32] }]\noutput"));
    try (RoutingFixture f = start("narrow")) {
      assertThatThrownBy(
              () ->
                  f.admin()
                      .setShadow(
                          SetShadowRequest.newBuilder()
                              .setModelName("narrow")
                              .setShadow(
                                  Shadow.newBuilder()
                                      .setModelName("wide")
                                      .setVersion(1)
                                      .setFraction(1))
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(e.getStatus().getDescription()).contains("different signature");
              });
      assertThat(f.routing().getRouting().hasShadow()).isFalse();
      assertThat(Files.exists(repo.resolve("narrow/routing.pbtxt"))).isFalse();
    }
  }

  @Test
  void shouldKeepRoutesWhenTheServerRestarts() throws Exception {
    ModelRouting wanted =
        ModelRouting.newBuilder()
            .putLabels("stable", 1)
            .putLabels("canary", 2)
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(12.5))
            .build();
    try (RoutingFixture f = start("persist")) {
      f.admin()
          .setRouting(
              SetRoutingRequest.newBuilder().setModelName("persist").setRouting(wanted).build());
    }
    assertThat(Files.readString(repo.resolve("persist/routing.pbtxt")))
        .contains("weight_percent: 12.5");
    try (RoutingFixture f = RoutingFixture.start(repo, "persist", RoutingFixture.fast())) {
      assertThat(f.routing().getRouting()).isEqualTo(wanted);
      assertThat(f.infer("canary", 1).getModelVersion()).isEqualTo("2");
    }
  }

  @Test
  void shouldApplyAHandEditedRoutingFileWhenPolling() throws Exception {
    RoutingFixture.writeModel(repo, "edited");
    TensorgateServerBuilder b =
        TensorgateServer.builder()
            .modelRepository(repo)
            .controlMode(ControlMode.POLL)
            .pollSeconds(1)
            .routing(RoutingFixture.fast());
    try (RoutingFixture f = RoutingFixture.start(b, "edited")) {
      Files.writeString(
          repo.resolve("edited/routing.pbtxt"),
          "labels { key: \"stable\" value: 1 }\nstable_version: 1\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> f.routing().getRouting().getStableVersion() == 1);
      assertThat(f.infer("", 1).getModelVersion()).isEqualTo("1");
      assertThat(f.infer("stable", 1).getModelVersion()).isEqualTo("1");

      Files.writeString(repo.resolve("edited/routing.pbtxt"), "stable_version: 9\n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  f
                      .admin()
                      .listEvents(ListEventsRequest.newBuilder().setModelName("edited").build())
                      .getEventsList()
                      .stream()
                      .anyMatch(e -> e.getKind().equals("refused")));
      // A bad file moves nothing.
      assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(1);
      // The model was not reloaded for a routing file: both versions still serve.
      assertThat(f.infer("2", 1).getModelVersion()).isEqualTo("2");
    }
  }

  @Test
  void shouldAnswerAdminCallsOnlyWithTheTokenWhenOneIsConfigured() throws Exception {
    RoutingFixture.writeModel(repo, "guarded");
    // The RoutingService is in the admin protocol group of the server's access rules.
    Path tokens = Files.writeString(repo.resolve("tokens"), "admin: s3cret-admin-token-0123\n");
    try (RoutingFixture f =
        RoutingFixture.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .routing(RoutingFixture.fast())
                .security(new SecurityOptions().authTokenFile(tokens)),
            "guarded")) {
      GetRoutingRequest req = GetRoutingRequest.newBuilder().setModelName("guarded").build();
      assertThatThrownBy(() -> f.admin().getRouting(req))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      Metadata wrong = new Metadata();
      Metadata.Key<String> auth =
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
      wrong.put(auth, "Bearer s3cret-admin-token-012");
      assertThatThrownBy(
              () ->
                  f.admin()
                      .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(wrong))
                      .getRouting(req))
          .isInstanceOf(StatusRuntimeException.class);
      Metadata right = new Metadata();
      right.put(auth, "Bearer s3cret-admin-token-0123");
      assertThat(
              f.admin()
                  .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(right))
                  .getRouting(req)
                  .getModelName())
          .isEqualTo("guarded");
    }
  }
}
