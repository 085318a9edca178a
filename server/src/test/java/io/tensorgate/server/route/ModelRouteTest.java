package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.Shadow;
import org.junit.jupiter.api.Test;

class ModelRouteTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private ModelRoute route(ModelRouting.Builder r) {
    return new ModelRoute("m", r.build(), 1, new RouteMetrics(meters));
  }

  private static ModelRouting.Builder canary(long version) {
    return ModelRouting.newBuilder()
        .setStableVersion(1)
        .setCanary(Canary.newBuilder().setVersion(version).setWeightPercent(10));
  }

  @Test
  void shouldHaveNoSplitAndNoCountersWhenNoCanary() {
    ModelRoute r = route(ModelRouting.newBuilder().setStableVersion(1));

    assertThat(r.split).isNull();
    assertThat(r.canaryCounter).isNull();
    assertThat(r.stableCounter).isNull();
    assertThat(meters.getMeters()).isEmpty();
  }

  @Test
  void shouldCountBothVersionsWhenACanaryAndAStableVersionAreSet() {
    ModelRoute r = route(canary(2));

    assertThat(r.split.weightPercent()).isEqualTo(10);
    assertThat(r.canaryCounter.getId().getTag("version")).isEqualTo("2");
    assertThat(r.stableCounter.getId().getTag("version")).isEqualTo("1");
  }

  @Test
  void shouldHaveNoStableCounterWhenTheStableVersionIsTheLatest() {
    assertThat(route(canary(2).setStableVersion(0)).stableCounter).isNull();
  }

  @Test
  void shouldShadowTheSameModelWhenTheShadowNamesNoModel() {
    ModelRoute r =
        route(
            ModelRouting.newBuilder()
                .setShadow(
                    Shadow.newBuilder()
                        .setVersion(2)
                        .setFraction(0.5)
                        .setAbsTolerance(0.1)
                        .setRelTolerance(0.2)));

    assertThat(r.shadow).isEqualTo(new ModelRoute.ShadowTarget("m", 2, "2", 0.5, 0.1, 0.2));
  }

  @Test
  void shouldShadowTheNamedModelWhenTheShadowNamesOne() {
    ModelRoute r =
        route(
            ModelRouting.newBuilder()
                .setShadow(Shadow.newBuilder().setModelName("n").setVersion(2).setFraction(1)));

    assertThat(r.shadow.model()).isEqualTo("n");
  }

  @Test
  void shouldHaveNoShadowWhenItsFractionIsZero() {
    assertThat(route(ModelRouting.newBuilder().setShadow(Shadow.newBuilder().setVersion(2))).shadow)
        .isNull();
  }

  @Test
  void shouldRollOutOnlyWithACanaryAndSteps() {
    RolloutPolicy steps = RolloutPolicy.newBuilder().addStepsPercent(50).build();

    assertThat(route(canary(2).setRollout(steps)).rolloutActive()).isTrue();
    assertThat(route(canary(2)).rolloutActive()).isFalse();
    assertThat(route(canary(2).setRollout(RolloutPolicy.getDefaultInstance())).rolloutActive())
        .isFalse();
    assertThat(
            route(ModelRouting.newBuilder().setStableVersion(1).setRollout(steps)).rolloutActive())
        .isFalse();
  }
}
