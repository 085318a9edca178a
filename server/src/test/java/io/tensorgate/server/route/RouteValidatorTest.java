package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusException;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.repository.TestVersions;
import org.junit.jupiter.api.Test;

/** Routing validation against a registry serving versions 1-3 of 'm' (3 with another signature). */
class RouteValidatorTest {
  static final String CONFIG =
      """
      name: "m"
      platform: "onnxruntime_onnx"
      max_batch_size: 8
      input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 16 ] } ]
      output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 16 ] } ]
      """;

  static final String WIDER = CONFIG.replaceFirst("\\[ 16 \\]", "[ 32 ]");

  static final String OTHER_BATCH = CONFIG.replace("max_batch_size: 8", "max_batch_size: 4");

  static final String OTHER_OUTPUT = CONFIG.replace("OUTPUT0", "LOGITS");

  private static ModelRegistry registry(String v3) {
    return TestVersions.registry(
        TestVersions.version(CONFIG, 1),
        TestVersions.version(CONFIG, 2),
        TestVersions.version(v3, 3));
  }

  private final RouteValidator validator = new RouteValidator(registry(WIDER));

  private ModelRouting validate(ModelRouting.Builder r) throws StatusException {
    return validator.validate("m", r.build());
  }

  private void assertRefused(ModelRouting.Builder r, Status.Code code, String message) {
    assertThatThrownBy(() -> validate(r))
        .isInstanceOfSatisfying(
            StatusException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  private static ModelRouting.Builder canary(long version, double weight) {
    return ModelRouting.newBuilder()
        .setCanary(Canary.newBuilder().setVersion(version).setWeightPercent(weight));
  }

  private static ModelRouting.Builder rollout(RolloutPolicy.Builder p) {
    return canary(2, 10).setStableVersion(1).setRollout(p);
  }

  @Test
  void shouldRefuseAModelWithoutReadyVersions() {
    assertThatThrownBy(() -> validator.validate("other", ModelRouting.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void shouldKeepAValidSplitAsItIs() throws Exception {
    ModelRouting r = validate(canary(2, 25).setStableVersion(1).putLabels("prod", 1));

    assertThat(r.getStableVersion()).isEqualTo(1);
    assertThat(r.getCanary().getVersion()).isEqualTo(2);
    assertThat(r.getCanary().getWeightPercent()).isEqualTo(25);
    assertThat(r.hasShadow()).isFalse();
  }

  @Test
  void shouldFillTheStableVersionWithTheHighestReadyOtherThanTheCanary() throws Exception {
    ModelRouting r =
        new RouteValidator(
                TestVersions.registry(
                    TestVersions.version(CONFIG, 1),
                    TestVersions.version(CONFIG, 2),
                    TestVersions.version(CONFIG, 3)))
            .validate("m", canary(2, 10).build());

    assertThat(r.getStableVersion()).isEqualTo(3);
  }

  @Test
  void shouldRefuseACanaryWithoutAnotherReadyVersion() {
    RouteValidator v = new RouteValidator(TestVersions.registry(TestVersions.version(CONFIG, 1)));

    assertThatThrownBy(() -> v.validate("m", canary(1, 10).build()))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("has no READY version besides canary 1");
  }

  @Test
  void shouldClearTheCanaryWhenItsVersionIsZero() throws Exception {
    assertThat(validate(canary(0, 50).setStableVersion(1)).hasCanary()).isFalse();
  }

  @Test
  void shouldRefuseALabelNotStartingWithALetter() {
    assertRefused(
        ModelRouting.newBuilder().putLabels("1st", 1),
        Status.Code.INVALID_ARGUMENT,
        "must start with a letter");
  }

  @Test
  void shouldRefuseAnEmptyLabel() {
    assertRefused(
        ModelRouting.newBuilder().putLabels("", 1),
        Status.Code.INVALID_ARGUMENT,
        "must start with a letter");
  }

  @Test
  void shouldRefuseALabelOnAVersionNotReady() {
    assertRefused(
        ModelRouting.newBuilder().putLabels("prod", 9),
        Status.Code.NOT_FOUND,
        "label 'prod': model 'm' version 9 is not READY");
  }

  @Test
  void shouldRefuseANegativeCanaryVersion() {
    assertRefused(canary(-1, 10), Status.Code.INVALID_ARGUMENT, "versions must be positive");
  }

  @Test
  void shouldRefuseANegativeStableVersion() {
    assertRefused(
        ModelRouting.newBuilder().setStableVersion(-2),
        Status.Code.INVALID_ARGUMENT,
        "versions must be positive");
  }

  @Test
  void shouldRefuseAWeightAboveOneHundred() {
    assertRefused(
        canary(2, 100.5).setStableVersion(1),
        Status.Code.INVALID_ARGUMENT,
        "weight_percent must be 0 to 100");
  }

  @Test
  void shouldRefuseANegativeWeight() {
    assertRefused(
        canary(2, -0.5).setStableVersion(1),
        Status.Code.INVALID_ARGUMENT,
        "weight_percent must be 0 to 100");
  }

  @Test
  void shouldAcceptTheWeightBounds() throws Exception {
    assertThat(validate(canary(2, 100).setStableVersion(1)).getCanary().getWeightPercent())
        .isEqualTo(100);
    assertThat(validate(canary(2, 0).setStableVersion(1)).getCanary().getVersion()).isEqualTo(2);
  }

  @Test
  void shouldRefuseAStableVersionNotReady() {
    assertRefused(
        ModelRouting.newBuilder().setStableVersion(7),
        Status.Code.NOT_FOUND,
        "stable version: model 'm' version 7");
  }

  @Test
  void shouldRefuseACanaryNotReady() {
    assertRefused(
        canary(7, 10).setStableVersion(1), Status.Code.NOT_FOUND, "canary: model 'm' version 7");
  }

  @Test
  void shouldRefuseACanaryThatIsTheStableVersion() {
    assertRefused(
        canary(2, 10).setStableVersion(2),
        Status.Code.INVALID_ARGUMENT,
        "canary and stable are both version 2");
  }

  @Test
  void shouldRefuseACanaryWithOtherInputDims() {
    assertRefused(
        canary(3, 10).setStableVersion(1),
        Status.Code.FAILED_PRECONDITION,
        "canary 'm' version 3 has a different signature from 'm' version 1: inputs");
  }

  @Test
  void shouldRefuseACanaryWithAnotherMaxBatchSize() {
    RouteValidator v = new RouteValidator(registry(OTHER_BATCH));

    assertThatThrownBy(() -> v.validate("m", canary(3, 10).setStableVersion(1).build()))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("max_batch_size 8 vs 4");
  }

  @Test
  void shouldRefuseACanaryWithOtherOutputs() {
    RouteValidator v = new RouteValidator(registry(OTHER_OUTPUT));

    assertThatThrownBy(() -> v.validate("m", canary(3, 10).setStableVersion(1).build()))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("outputs OUTPUT0");
  }

  @Test
  void shouldKeepAShadowOfTheSameSignature() throws Exception {
    ModelRouting r =
        validate(
            ModelRouting.newBuilder()
                .setStableVersion(1)
                .setShadow(
                    Shadow.newBuilder().setVersion(2).setFraction(0.25).setRelTolerance(0.01)));

    assertThat(r.getShadow().getVersion()).isEqualTo(2);
    assertThat(r.getShadow().getFraction()).isEqualTo(0.25);
  }

  @Test
  void shouldClearTheShadowWhenItsVersionIsZero() throws Exception {
    assertThat(
            validate(ModelRouting.newBuilder().setShadow(Shadow.newBuilder().setFraction(0.5)))
                .hasShadow())
        .isFalse();
  }

  @Test
  void shouldRefuseAShadowWithAnotherSignatureThanTheLatestVersion() {
    RouteValidator v =
        new RouteValidator(
            TestVersions.registry(TestVersions.version(WIDER, 1), TestVersions.version(CONFIG, 2)));

    assertThatThrownBy(
            () ->
                v.validate(
                    "m",
                    ModelRouting.newBuilder()
                        .setShadow(Shadow.newBuilder().setVersion(1).setFraction(1))
                        .build()))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("shadow 'm' version 1 has a different signature from 'm' version 2");
  }

  @Test
  void shouldRefuseAShadowOfAModelNotServed() {
    assertRefused(
        ModelRouting.newBuilder()
            .setShadow(Shadow.newBuilder().setModelName("x").setVersion(1).setFraction(1)),
        Status.Code.NOT_FOUND,
        "shadow model 'x' is not served");
  }

  @Test
  void shouldRefuseAShadowFractionAboveOne() {
    assertShadowRefused(Shadow.newBuilder().setVersion(2).setFraction(1.01));
  }

  @Test
  void shouldRefuseANegativeShadowFraction() {
    assertShadowRefused(Shadow.newBuilder().setVersion(2).setFraction(-0.1));
  }

  @Test
  void shouldRefuseANegativeShadowVersion() {
    assertShadowRefused(Shadow.newBuilder().setVersion(-1).setFraction(1));
  }

  @Test
  void shouldRefuseANegativeAbsoluteTolerance() {
    assertShadowRefused(Shadow.newBuilder().setVersion(2).setFraction(1).setAbsTolerance(-1e-9));
  }

  @Test
  void shouldRefuseANegativeRelativeTolerance() {
    assertShadowRefused(Shadow.newBuilder().setVersion(2).setFraction(1).setRelTolerance(-1e-9));
  }

  private void assertShadowRefused(Shadow.Builder s) {
    assertRefused(
        ModelRouting.newBuilder().setStableVersion(1).setShadow(s),
        Status.Code.INVALID_ARGUMENT,
        "shadow fraction must be 0 to 1");
  }

  @Test
  void shouldAcceptARisingRolloutEndingAtOneHundred() throws Exception {
    RolloutPolicy.Builder p =
        RolloutPolicy.newBuilder()
            .addStepsPercent(10)
            .addStepsPercent(50)
            .addStepsPercent(100)
            .setMaxErrorRate(1)
            .setMaxMismatchRate(0);

    assertThat(validate(rollout(p)).getRollout().getStepsPercentList())
        .containsExactly(10.0, 50.0, 100.0);
  }

  @Test
  void shouldRefuseRolloutStepsThatDoNotRise() {
    assertPolicyRefused(
        RolloutPolicy.newBuilder().addStepsPercent(50).addStepsPercent(50),
        "steps_percent must rise");
  }

  @Test
  void shouldRefuseARolloutStepOfZero() {
    assertPolicyRefused(RolloutPolicy.newBuilder().addStepsPercent(0), "steps_percent must rise");
  }

  @Test
  void shouldRefuseARolloutStepAboveOneHundred() {
    assertPolicyRefused(
        RolloutPolicy.newBuilder().addStepsPercent(100.5), "steps_percent must rise");
  }

  @Test
  void shouldRefuseANegativeDwell() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinDwellSeconds(-1), "must not be negative");
  }

  @Test
  void shouldRefuseANegativeWindow() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setWindowSeconds(-1), "must not be negative");
  }

  @Test
  void shouldRefuseAnErrorRateAboveOne() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxErrorRate(1.5), "rates must be 0 to 1");
  }

  @Test
  void shouldRefuseANegativeErrorRate() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxErrorRate(-0.1), "rates must be 0 to 1");
  }

  @Test
  void shouldRefuseAMismatchRateAboveOne() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxMismatchRate(1.5), "rates must be 0 to 1");
  }

  @Test
  void shouldRefuseANegativeMismatchRate() {
    assertPolicyRefused(
        RolloutPolicy.newBuilder().setMaxMismatchRate(-0.1), "rates must be 0 to 1");
  }

  @Test
  void shouldRefuseANegativeP99Ratio() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMaxP99Ratio(-1), "must not be negative");
  }

  @Test
  void shouldRefuseANegativeP99Delta() {
    assertPolicyRefused(RolloutPolicy.newBuilder().setMinP99DeltaMs(-1), "min_p99_delta_ms");
  }

  @Test
  void shouldRefuseAnInfiniteP99Delta() {
    assertPolicyRefused(
        RolloutPolicy.newBuilder().setMinP99DeltaMs(Double.POSITIVE_INFINITY), "min_p99_delta_ms");
  }

  private void assertPolicyRefused(RolloutPolicy.Builder p, String message) {
    assertRefused(rollout(p), Status.Code.INVALID_ARGUMENT, message);
  }
}
