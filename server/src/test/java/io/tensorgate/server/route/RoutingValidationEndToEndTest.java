package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the routing administration refuses, and why: rollout policies out of range, labels, canary
 * weights and versions, shadows, unknown or empty models; and what it accepts at the bounds.
 */
class RoutingValidationEndToEndTest extends RoutingAdminTestBase {
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
}
