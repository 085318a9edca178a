package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.server.cost.CostPrices;
import io.tensorgate.server.repository.TestVersions;
import io.tensorgate.server.stats.ExecutionCost;
import org.junit.jupiter.api.Test;

class CostGateTest {
  private static final RolloutPolicy AT_MOST_TWICE =
      RolloutPolicy.newBuilder().setMaxCostRatio(2).build();
  private final VersionCosts costs =
      new VersionCosts(
          TestVersions.registry(TestVersions.version(RouteValidatorTest.CONFIG, 1)),
          CostPrices.NONE);

  /** {@code inferences} that cost {@code nanosEach} of CPU time each. */
  private static ExecutionCost.Window served(long inferences, long nanosEach) {
    return new ExecutionCost.Window(inferences * nanosEach, 0, inferences);
  }

  @Test
  void shouldBreachWhenTheCanaryCostsMoreThanTheRatioPerInference() {
    String why = CostGate.breach(AT_MOST_TWICE, 10, served(10, 300), served(20, 100), costs);

    assertThat(why)
        .isEqualTo(
            "cost per 1000 inferences is 3.00 x the stable version's (over 10 and 20"
                + " inferences), above 2.00");
  }

  @Test
  void shouldPassWhenTheCanaryCostsExactlyTheRatio() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 200), served(10, 100), costs))
        .isNull();
  }

  @Test
  void shouldPassWhenTheCanaryCostsLess() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 100), served(10, 100), costs))
        .isNull();
  }

  @Test
  void shouldJudgeOnceBothServedExactlyTheMinimum() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 500), served(10, 100), costs))
        .isNotNull();
  }

  @Test
  void shouldNotJudgeWhenEitherServedFewerThanTheMinimum() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(9, 500), served(10, 100), costs)).isNull();
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 500), served(9, 100), costs)).isNull();
  }

  @Test
  void shouldNotJudgeWhenAWindowIsMissing() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, null, served(10, 100), costs)).isNull();
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 500), null, costs)).isNull();
  }

  @Test
  void shouldNotJudgeWhenNoRatioIsSet() {
    RolloutPolicy none = RolloutPolicy.getDefaultInstance();

    assertThat(CostGate.breach(none, 10, served(10, 500), served(10, 100), costs)).isNull();
  }

  @Test
  void shouldNotBreachWhenTheStableVersionCostsNothing() {
    assertThat(CostGate.breach(AT_MOST_TWICE, 10, served(10, 500), served(10, 0), costs)).isNull();
  }
}
