package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin RoutingService against one server: what it refuses (with which code), what it fills in,
 * and what promote, rollback, labels and canary changes leave behind. Each test starts from no
 * routing; model {@code adm} has versions 1 and 2, {@code solo} only version 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingAdminEndToEndTest {
  private static final String MODEL = "adm";

  // Static: JUnit fills instance @TempDir fields before each test, after @BeforeAll.
  @TempDir static Path repo;
  private RoutingFixture f;

  @BeforeAll
  void start() throws Exception {
    RoutingFixture.writeModel(repo, MODEL);
    ScriptedBackend.reset("solo");
    ScriptedBackend.writeModel(repo, "solo", "", 1);
    f = RoutingFixture.start(repo, MODEL, new RoutingOptions());
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @AfterEach
  void clearRouting() {
    for (String model : List.of(MODEL, "solo")) {
      f.admin()
          .setRouting(
              SetRoutingRequest.newBuilder()
                  .setModelName(model)
                  .setRouting(ModelRouting.getDefaultInstance())
                  .build());
    }
  }

  private GetRoutingResponse set(ModelRouting.Builder routing) {
    return f.admin()
        .setRouting(SetRoutingRequest.newBuilder().setModelName(MODEL).setRouting(routing).build());
  }

  private static ModelRouting.Builder rollout(RolloutPolicy.Builder policy) {
    return ModelRouting.newBuilder().setRollout(policy);
  }

  private static void assertRefused(
      ThrowingCallable call, Status.Code code, String... descriptionParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(descriptionParts);
            });
  }

  private void assertPolicyRefused(RolloutPolicy.Builder policy) {
    assertRefused(() -> set(rollout(policy)), Status.Code.INVALID_ARGUMENT, "rollout");
    assertThat(f.routing().getRouting()).isEqualTo(ModelRouting.getDefaultInstance());
  }

  private List<RoutingEvent> events(int limit) {
    return f.admin()
        .listEvents(ListEventsRequest.newBuilder().setModelName(MODEL).setLimit(limit).build())
        .getEventsList();
  }

  @Test
  void shouldRefuseARolloutWhenItsStepsDoNotRise() {
    assertPolicyRefused(RolloutPolicy.newBuilder().addStepsPercent(10).addStepsPercent(10));
  }

  @Test
  void shouldRefuseARolloutWhenAStepIsZero() {
    assertPolicyRefused(RolloutPolicy.newBuilder().addStepsPercent(0).addStepsPercent(50));
  }

  @Test
  void shouldRefuseARolloutWhenAStepIsAboveOneHundred() {
    assertPolicyRefused(RolloutPolicy.newBuilder().addStepsPercent(10).addStepsPercent(100.5));
  }

  @Test
  void shouldRefuseARolloutWhenTheDwellIsNegative() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinDwellSeconds(-1));
  }

  @Test
  void shouldRefuseARolloutWhenTheWindowIsNegative() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setWindowSeconds(-0.5));
  }

  @Test
  void shouldRefuseARolloutWhenTheErrorRateIsOutsideZeroToOne() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxErrorRate(1.01));
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxErrorRate(-0.01));
  }

  @Test
  void shouldRefuseARolloutWhenTheMismatchRateIsOutsideZeroToOne() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxMismatchRate(2));
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxMismatchRate(-1));
  }

  @Test
  void shouldRefuseARolloutWhenTheP99RatioIsNegative() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxP99Ratio(-1));
  }

  @Test
  void shouldRefuseARolloutWhenTheP99FloorIsNegativeOrInfinite() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinP99DeltaMs(-1));
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinP99DeltaMs(Double.POSITIVE_INFINITY));
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinP99DeltaMs(Double.NaN));
  }

  @Test
  void shouldAcceptARolloutWhenEveryLimitIsAtItsBound() {
    RolloutPolicy.Builder policy =
        RolloutPolicy.newBuilder()
            .addStepsPercent(0.5)
            .addStepsPercent(100)
            .setMinDwellSeconds(0)
            .setWindowSeconds(0)
            .setMaxErrorRate(1)
            .setMaxMismatchRate(1)
            .setMaxP99Ratio(0)
            .setMinP99DeltaMs(0);

    assertThat(set(rollout(policy)).getRouting().getRollout()).isEqualTo(policy.build());
  }

  @Test
  void shouldRefuseALabelWhenItDoesNotStartWithALetter() {
    assertRefused(
        () -> set(ModelRouting.newBuilder().putLabels("1st", 1)),
        Status.Code.INVALID_ARGUMENT,
        "'1st' must start with a letter");
    assertRefused(
        () -> set(ModelRouting.newBuilder().putLabels("", 1)),
        Status.Code.INVALID_ARGUMENT,
        "must start with a letter");
  }

  @Test
  void shouldRefuseACanaryWhenItsWeightIsOutsideZeroToOneHundred() {
    for (double w : new double[] {-1, 100.5, Double.NaN}) {
      assertRefused(
          () ->
              set(
                  ModelRouting.newBuilder()
                      .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(w))),
          Status.Code.INVALID_ARGUMENT,
          "weight_percent must be 0 to 100");
    }
  }

  @Test
  void shouldRefuseVersionsWhenTheyAreNegative() {
    assertRefused(
        () -> set(ModelRouting.newBuilder().setStableVersion(-1)),
        Status.Code.INVALID_ARGUMENT,
        "versions must be positive");
    assertRefused(
        () -> set(ModelRouting.newBuilder().setCanary(Canary.newBuilder().setVersion(-2))),
        Status.Code.INVALID_ARGUMENT,
        "versions must be positive");
  }

  @Test
  void shouldRefuseAStableVersionWhenItIsNotReady() {
    assertRefused(
        () -> set(ModelRouting.newBuilder().setStableVersion(3)),
        Status.Code.NOT_FOUND,
        "stable version: model 'adm' version 3 is not READY");
  }

  @Test
  void shouldRefuseACanaryWhenItIsNotReady() {
    assertRefused(
        () -> set(ModelRouting.newBuilder().setCanary(Canary.newBuilder().setVersion(5))),
        Status.Code.NOT_FOUND,
        "canary: model 'adm' version 5 is not READY");
  }

  @Test
  void shouldRefuseACanaryWhenItIsAlsoTheStableVersion() {
    assertRefused(
        () ->
            set(
                ModelRouting.newBuilder()
                    .setStableVersion(2)
                    .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10))),
        Status.Code.INVALID_ARGUMENT,
        "canary and stable are both version 2");
  }

  @Test
  void shouldMakeTheOtherVersionStableWhenACanaryIsSetWithoutOne() {
    ModelRouting onTwo =
        set(ModelRouting.newBuilder().setCanary(Canary.newBuilder().setVersion(2))).getRouting();
    ModelRouting onOne =
        set(ModelRouting.newBuilder().setCanary(Canary.newBuilder().setVersion(1))).getRouting();

    assertThat(onTwo.getStableVersion()).isEqualTo(1);
    assertThat(onOne.getStableVersion()).as("not the highest, which is the canary").isEqualTo(2);
  }

  @Test
  void shouldRefuseACanaryWhenTheModelHasNoOtherReadyVersion() {
    assertRefused(
        () ->
            f.admin()
                .setCanary(
                    SetCanaryRequest.newBuilder()
                        .setModelName("solo")
                        .setVersion(1)
                        .setWeightPercent(5)
                        .build()),
        Status.Code.FAILED_PRECONDITION,
        "no READY version besides canary 1");
  }

  @Test
  void shouldRefuseAShadowWhenItsFractionOrTolerancesAreOutOfRange() {
    for (Shadow.Builder s :
        List.of(
            Shadow.newBuilder().setVersion(2).setFraction(1.5),
            Shadow.newBuilder().setVersion(2).setFraction(-0.5),
            Shadow.newBuilder().setVersion(2).setFraction(Double.NaN),
            Shadow.newBuilder().setVersion(2).setFraction(1).setAbsTolerance(-1),
            Shadow.newBuilder().setVersion(2).setFraction(1).setRelTolerance(-1),
            Shadow.newBuilder().setVersion(-2).setFraction(1))) {
      assertRefused(
          () -> set(ModelRouting.newBuilder().setShadow(s)),
          Status.Code.INVALID_ARGUMENT,
          "shadow fraction must be 0 to 1");
    }
  }

  @Test
  void shouldRefuseAShadowWhenItsModelIsNotServed() {
    assertRefused(
        () ->
            set(
                ModelRouting.newBuilder()
                    .setShadow(Shadow.newBuilder().setModelName("ghost").setVersion(1))),
        Status.Code.NOT_FOUND,
        "shadow model 'ghost' is not served");
  }

  @Test
  void shouldRefuseAShadowWhenItsVersionIsNotReady() {
    assertRefused(
        () ->
            set(
                ModelRouting.newBuilder()
                    .setShadow(Shadow.newBuilder().setModelName("solo").setVersion(2))),
        Status.Code.NOT_FOUND,
        "shadow: model 'solo' version 2 is not READY");
  }

  @Test
  void shouldAcceptAShadowOfAnotherModelWhenTheSignaturesMatch() {
    ModelRouting r =
        set(ModelRouting.newBuilder()
                .setShadow(Shadow.newBuilder().setModelName("solo").setVersion(1).setFraction(1)))
            .getRouting();

    assertThat(r.getShadow().getModelName()).isEqualTo("solo");
  }

  @Test
  void shouldDropAShadowWithoutVersionWhenTheRoutingIsInstalled() {
    ModelRouting r =
        set(ModelRouting.newBuilder()
                .setStableVersion(1)
                .setShadow(Shadow.newBuilder().setFraction(1)))
            .getRouting();

    assertThat(r.hasShadow()).isFalse();
  }

  @Test
  void shouldRefuseACallWhenTheModelNameIsEmpty() {
    assertRefused(
        () -> f.admin().getRouting(GetRoutingRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "model_name is required");
  }

  @Test
  void shouldRefuseACallWhenTheModelIsNotServed() {
    assertRefused(
        () -> f.admin().getRouting(GetRoutingRequest.newBuilder().setModelName("ghost").build()),
        Status.Code.NOT_FOUND,
        "model 'ghost' is not served");
  }

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
