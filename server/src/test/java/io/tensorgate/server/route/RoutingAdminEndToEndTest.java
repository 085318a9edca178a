package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The admin RoutingService against one server: what promote, rollback, labels and canary changes
 * leave behind (what it refuses: {@link RoutingValidationEndToEndTest}).
 */
class RoutingAdminEndToEndTest extends RoutingAdminTestBase {
  @Test
  void shouldRefuseAPromotionWhenThereIsNoCanary() {
    set(ModelRouting.newBuilder().setStableVersion(1));

    assertRefused(
        () -> f.admin().promote(PromoteRequest.newBuilder().setModelName(MODEL).build()),
        Status.Code.FAILED_PRECONDITION,
        "model 'adm' has no canary to promote");
  }

  @Test
  void shouldMakeTheCanaryStableAndMoveTheStableLabelWhenPromoted() {
    set(
        ModelRouting.newBuilder()
            .putLabels("stable", 1)
            .putLabels("old", 1)
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10)));

    ModelRouting r =
        f.admin().promote(PromoteRequest.newBuilder().setModelName(MODEL).build()).getRouting();

    assertThat(r.getStableVersion()).isEqualTo(2);
    assertThat(r.hasCanary()).isFalse();
    assertThat(r.getLabelsMap()).containsEntry("stable", 2L).containsEntry("old", 1L);
    assertThat(events(1))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo("promote");
              assertThat(e.getReason()).isEqualTo("canary version 2 promoted by the admin API");
            });
    assertThat(f.infer("", 1).getModelVersion()).isEqualTo("2");
  }

  @Test
  void shouldDropAShadowOfTheCanaryWhenTheCanaryIsPromoted() {
    set(
        ModelRouting.newBuilder()
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10))
            .setShadow(Shadow.newBuilder().setVersion(2).setFraction(1)));

    ModelRouting r =
        f.admin().promote(PromoteRequest.newBuilder().setModelName(MODEL).build()).getRouting();

    assertThat(r.hasShadow()).as("it would mirror the stable version onto itself").isFalse();
    assertThat(r.getLabelsMap()).doesNotContainKey("stable");
  }

  @Test
  void shouldKeepAShadowOfAnotherModelWhenTheCanaryIsPromoted() {
    set(
        ModelRouting.newBuilder()
            .setStableVersion(2)
            .setCanary(Canary.newBuilder().setVersion(1).setWeightPercent(10))
            .setShadow(Shadow.newBuilder().setModelName("solo").setVersion(1).setFraction(1)));

    ModelRouting r =
        f.admin().promote(PromoteRequest.newBuilder().setModelName(MODEL).build()).getRouting();

    assertThat(r.getShadow().getModelName()).isEqualTo("solo");
  }

  @Test
  void shouldSendEverythingToTheStableVersionWhenRolledBack() {
    set(
        ModelRouting.newBuilder()
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(100)));
    assertThat(f.infer("", 1).getModelVersion()).isEqualTo("2");

    ModelRouting r =
        f.admin()
            .rollback(RollbackRequest.newBuilder().setModelName(MODEL).setReason("bad").build())
            .getRouting();

    assertThat(r.hasCanary()).isFalse();
    assertThat(r.getStableVersion()).isEqualTo(1);
    assertThat(f.infer("", 1).getModelVersion()).isEqualTo("1");
    assertThat(events(1))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("bad"));
  }

  @Test
  void shouldSayWhoRolledBackWhenTheRollbackGivesNoReason() {
    set(ModelRouting.newBuilder().setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(1)));

    f.admin().rollback(RollbackRequest.newBuilder().setModelName(MODEL).build());

    assertThat(events(1))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo("rollback");
              assertThat(e.getReason()).isEqualTo("rolled back by the admin API");
            });
  }

  @Test
  void shouldRemoveALabelWhenItIsSetToVersionZero() {
    f.admin()
        .setLabel(
            SetLabelRequest.newBuilder()
                .setModelName(MODEL)
                .setLabel("beta")
                .setVersion(2)
                .build());
    assertThat(f.infer("beta", 1).getModelVersion()).isEqualTo("2");

    ModelRouting r =
        f.admin()
            .setLabel(SetLabelRequest.newBuilder().setModelName(MODEL).setLabel("beta").build())
            .getRouting();

    assertThat(r.getLabelsMap()).doesNotContainKey("beta");
    assertThat(events(1))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("label 'beta' removed"));
    assertRefused(() -> f.infer("beta", 1), Status.Code.INVALID_ARGUMENT, "'beta'");
  }

  @Test
  void shouldRemoveTheCanaryWhenItIsSetToVersionZero() {
    f.admin()
        .setCanary(
            SetCanaryRequest.newBuilder()
                .setModelName(MODEL)
                .setVersion(2)
                .setWeightPercent(30)
                .build());
    assertThat(events(1))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("canary version 2 at 30.0 %"));

    ModelRouting r =
        f.admin().setCanary(SetCanaryRequest.newBuilder().setModelName(MODEL).build()).getRouting();

    assertThat(r.hasCanary()).isFalse();
    assertThat(events(1))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("canary removed"));
  }

  @Test
  void shouldDescribeTheShadowWhenOneIsSetOrRemoved() {
    f.admin()
        .setShadow(
            SetShadowRequest.newBuilder()
                .setModelName(MODEL)
                .setShadow(Shadow.newBuilder().setVersion(2).setFraction(0.25))
                .build());
    assertThat(events(1).get(0).getReason()).isEqualTo("shadow version 2 at fraction 0.25");

    f.admin().setShadow(SetShadowRequest.newBuilder().setModelName(MODEL).build());

    assertThat(events(1).get(0).getReason()).isEqualTo("shadow removed");
    assertThat(f.routing().getRouting().hasShadow()).isFalse();
  }

  @Test
  void shouldListOnlyTheNewestEventsWhenALimitIsGiven() {
    for (long v : new long[] {1, 2, 1}) {
      set(ModelRouting.newBuilder().setStableVersion(v));
    }

    List<RoutingEvent> two = events(2);

    assertThat(two).extracting(e -> e.getRouting().getStableVersion()).containsExactly(2L, 1L);
    assertThat(events(0).size()).isGreaterThan(2);
    assertThat(
            f.admin()
                .listEvents(ListEventsRequest.newBuilder().setModelName("solo").build())
                .getEventsList())
        .allSatisfy(e -> assertThat(e.getModelName()).isEqualTo("solo"));
  }

  @Test
  void shouldSendTheCanaryItsShareWhenRequestsHaveNoKey() {
    set(
        ModelRouting.newBuilder()
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10)));

    int canary = 0;
    for (int i = 0; i < 100; i++) {
      if (f.infer("", i).getModelVersion().equals("2")) {
        canary++;
      }
    }

    // The split is a low-discrepancy sequence: 10 of 100, give or take a few.
    assertThat(canary).isBetween(7, 13);
  }

  @Test
  void shouldWriteTheRoutingFileWhenTheRoutingChanges() throws Exception {
    set(ModelRouting.newBuilder().putLabels("gold", 2));

    assertThat(Files.readString(repo.resolve(MODEL).resolve("routing.pbtxt")))
        .startsWith("# Routing of this model")
        .contains("key: \"gold\"", "value: 2");
  }
}
