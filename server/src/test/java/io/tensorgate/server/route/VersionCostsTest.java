package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.VersionCost;
import io.tensorgate.server.cost.CostPrices;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.repository.TestVersions;
import io.tensorgate.server.stats.ExecutionCost;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionCostsTest {
  private final ModelRegistry registry =
      TestVersions.registry(
          TestVersions.version(RouteValidatorTest.CONFIG, 1),
          TestVersions.version(RouteValidatorTest.CONFIG, 2),
          TestVersions.version(RouteValidatorTest.CONFIG, 3));
  private final VersionCosts costs = new VersionCosts(registry, CostPrices.NONE);

  private void serve(long version, int inferences, long deviceNanos) {
    registry.get("m").ready().get(version).stats().cost().record(inferences, true, deviceNanos);
  }

  private static ModelRoute route(long stable, long canary) {
    ModelRouting.Builder r = ModelRouting.newBuilder().setStableVersion(stable);
    if (canary > 0) {
      r.setCanary(Canary.newBuilder().setVersion(canary).setWeightPercent(10));
    }
    return new ModelRoute("m", r.build(), 1, new RouteMetrics(new SimpleMeterRegistry()));
  }

  @Test
  void shouldTakeTheConfiguredStableVersionWhenSet() {
    assertThat(costs.stableOf("m", 1, 3)).isEqualTo(1);
  }

  @Test
  void shouldTakeTheHighestReadyVersionBesidesTheCanaryWhenNoStableIsSet() {
    assertThat(costs.stableOf("m", 0, 3)).isEqualTo(2);
    assertThat(costs.stableOf("m", 0, 1)).isEqualTo(3);
  }

  @Test
  void shouldHaveNoStableVersionWhenTheModelIsUnknownOrOnlyTheCanaryIsReady() {
    VersionCosts single =
        new VersionCosts(
            TestVersions.registry(TestVersions.version(RouteValidatorTest.CONFIG, 4)),
            CostPrices.NONE);

    assertThat(costs.stableOf("other", 0, 3)).isZero();
    assertThat(single.stableOf("m", 0, 4)).isZero();
  }

  @Test
  void shouldReadTheWindowOfAReadyVersionOnly() {
    serve(2, 5, 1_000);

    assertThat(costs.window("m", 2)).isEqualTo(new ExecutionCost.Window(0, 1_000, 5));
    assertThat(costs.window("m", 9)).isNull();
    assertThat(costs.window("other", 2)).isNull();
  }

  @Test
  void shouldHaveNoDigestWhenTheVersionIsNotReady() {
    assertThat(costs.digest("m", 9)).isEmpty();
    assertThat(costs.digest("other", 1)).isEmpty();
    assertThat(costs.digest("m", 1)).isEmpty();
  }

  @Test
  void shouldDivideTheCanaryCostPerInferenceByTheStableOnes() {
    ExecutionCost.Window canary = new ExecutionCost.Window(3_000, 1_000, 10);
    ExecutionCost.Window stable = new ExecutionCost.Window(1_000, 1_000, 20);

    assertThat(costs.ratio(canary, stable)).isCloseTo(4.0, offset(1e-9));
  }

  @Test
  void shouldHaveNoRatioWhenTheStableVersionCostsNothing() {
    ExecutionCost.Window canary = new ExecutionCost.Window(3_000, 0, 10);
    ExecutionCost.Window free = new ExecutionCost.Window(0, 0, 20);

    assertThat(costs.ratio(canary, free)).isNaN();
  }

  @Test
  void shouldListNoFiguresForAnUnknownModel() {
    assertThat(costs.figures("other", route(1, 2))).isEmpty();
  }

  @Test
  void shouldGiveEachReadyVersionItsRoleInTheRoute() {
    List<VersionCost> figures = costs.figures("m", route(0, 3));

    assertThat(figures).extracting(VersionCost::getVersion).containsExactly(1L, 2L, 3L);
    assertThat(figures).extracting(VersionCost::getRole).containsExactly("", "stable", "canary");
    assertThat(costs.figures("m", null))
        .extracting(VersionCost::getRole)
        .containsExactly("", "", "stable");
  }

  @Test
  void shouldLeaveThePerInferenceFiguresUnsetWhenAVersionServedNothing() {
    serve(2, 4, 2_000_000_000L);

    List<VersionCost> figures = costs.figures("m", route(2, 0));

    assertThat(figures.get(0).getInferences()).isZero();
    assertThat(figures.get(0).getCpuSecondsPer1K()).isZero();
    assertThat(figures.get(0).getGpuSecondsPer1K()).isZero();
    assertThat(figures.get(1).getInferences()).isEqualTo(4);
    assertThat(figures.get(1).getGpuSecondsPer1K()).isEqualTo(500.0);
    assertThat(figures.get(1).getCostPer1K()).isZero();
  }

  @Test
  void shouldPriceEachInferenceWhenPricesAreSet() {
    VersionCosts priced = new VersionCosts(registry, new CostPrices(0, 3600));
    serve(2, 4, 2_000_000_000L);

    List<VersionCost> figures = priced.figures("m", route(2, 0));

    // 2 GPU-seconds for 4 inferences at 1 per GPU-second: 500 per 1000 inferences.
    assertThat(figures.get(1).getCostPer1K()).isCloseTo(500.0, offset(1e-9));
    assertThat(priced.prices()).isEqualTo(new CostPrices(0, 3600));
  }
}
