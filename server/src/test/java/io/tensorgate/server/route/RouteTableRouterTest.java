package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.repository.TestVersions;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Routing decisions over a registry serving versions 1, 2 and 3 of 'm'. */
class RouteTableRouterTest {
  private final ModelRegistry registry =
      TestVersions.registry(
          TestVersions.version(RouteValidatorTest.CONFIG, 1),
          TestVersions.version(RouteValidatorTest.CONFIG, 2),
          TestVersions.version(RouteValidatorTest.CONFIG, 3));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RouteMetrics metrics = new RouteMetrics(meters);
  private final RouteTableRouter router = new RouteTableRouter(registry);

  private void install(ModelRouting.Builder r) {
    router.put("m", new ModelRoute("m", r.build(), 1, metrics));
  }

  private static ModelRouting.Builder split(long stable, long canary, double weight) {
    return ModelRouting.newBuilder()
        .setStableVersion(stable)
        .setCanary(Canary.newBuilder().setVersion(canary).setWeightPercent(weight));
  }

  /** How many of {@code n} keyless default requests each version served. */
  private Map<Long, Integer> spread(int n) throws InferenceException {
    Map<Long, Integer> served = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      served.merge(router.route("m", "", null).version().version(), 1, Integer::sum);
    }
    return served;
  }

  @Test
  void shouldServeTheLatestVersionWhenTheModelHasNoRoute() throws Exception {
    RouteDecision d = router.route("m", "", null);

    assertThat(d.version().version()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("default");
  }

  @Test
  void shouldServeTheNamedVersionWhenTheModelHasNoRoute() throws Exception {
    RouteDecision d = router.route("m", "1", null);

    assertThat(d.version().version()).isEqualTo(1);
    assertThat(d.reason()).isEqualTo("pinned");
  }

  @Test
  void shouldSendTheCanaryItsShareNotTheComplementWhenTheWeightIsTen() throws Exception {
    install(split(1, 2, 10));

    Map<Long, Integer> served = spread(1000);

    assertThat(served.get(2L)).isBetween(95, 105);
    assertThat(served.get(1L)).isEqualTo(1000 - served.get(2L));
  }

  @Test
  void shouldCountEachVersionsRequestsWhenSplit() throws Exception {
    install(split(1, 2, 25));

    spread(100);

    double canary = meters.get("tensorgate.canary.requests").tag("version", "2").counter().count();
    double stable = meters.get("tensorgate.canary.requests").tag("version", "1").counter().count();
    assertThat(canary).isBetween(22.0, 28.0);
    assertThat(stable).isEqualTo(100 - canary);
  }

  @Test
  void shouldGiveTheReasonsCanaryAndStableWhenSplit() throws Exception {
    install(split(1, 2, 50));

    assertThat(router.route("m", "", null).reason()).isIn("canary", "stable");
    assertThat(java.util.stream.IntStream.range(0, 4).mapToObj(i -> reason()).distinct())
        .containsExactlyInAnyOrder("canary", "stable");
  }

  private String reason() {
    try {
      return router.route("m", "", null).reason();
    } catch (InferenceException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void shouldKeepAKeyOnOneVersionWhenRoutedRepeatedly() throws Exception {
    install(split(1, 2, 50));
    long first = router.route("m", "", "user-17").version().version();

    for (int i = 0; i < 20; i++) {
      assertThat(router.route("m", "", "user-17").version().version()).isEqualTo(first);
    }
  }

  @Test
  void shouldSendTheCanarysShareToStableWhenTheCanaryLeftService() throws Exception {
    install(split(1, 2, 100));
    TestVersions.serve(
        registry,
        new ModelRegistry.ServedModel(
            "m",
            new TreeMap<>(Map.of(1L, registry.get("m").ready().get(1L))),
            Map.of(2L, "unloaded")));

    RouteDecision d = router.route("m", "", null);

    assertThat(d.version().version()).isEqualTo(1);
    assertThat(d.reason()).isEqualTo("stable");
  }

  @Test
  void shouldAnswerWithTheRegistrysErrorWhenTheStableVersionLeftService() throws Exception {
    install(ModelRouting.newBuilder().setStableVersion(2));
    TestVersions.serve(
        registry,
        new ModelRegistry.ServedModel(
            "m",
            new TreeMap<>(Map.of(1L, registry.get("m").ready().get(1L))),
            Map.of(2L, "unloaded")));

    assertThatThrownBy(() -> router.route("m", "", null))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }

  @Test
  void shouldServeTheStableVersionWithReasonDefaultWhenNotSplit() throws Exception {
    install(ModelRouting.newBuilder().setStableVersion(2));

    RouteDecision d = router.route("m", "", null);

    assertThat(d.version().version()).isEqualTo(2);
    assertThat(d.reason()).isEqualTo("default");
  }

  @Test
  void shouldServeTheLatestWhenTheRouteHasOnlyLabels() throws Exception {
    install(ModelRouting.newBuilder().putLabels("prod", 1));

    assertThat(router.route("m", "", null).version().version()).isEqualTo(3);
  }

  @Test
  void shouldServeTheLabelledVersionWhenALabelIsNamed() throws Exception {
    install(ModelRouting.newBuilder().putLabels("prod", 1).setStableVersion(2));

    RouteDecision d = router.route("m", "prod", null);

    assertThat(d.version().version()).isEqualTo(1);
    assertThat(d.reason()).isEqualTo("label");
  }

  @Test
  void shouldPinANumberedVersionEvenWhenRouted() throws Exception {
    install(split(1, 2, 100));

    RouteDecision d = router.route("m", "3", null);

    assertThat(d.version().version()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("pinned");
  }

  @Test
  void shouldRefuseAnUnknownLabel() {
    install(ModelRouting.newBuilder().putLabels("prod", 1));

    assertThatThrownBy(() -> router.route("m", "beta", null))
        .isInstanceOfSatisfying(
            InferenceException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "Request for model 'm': 'beta' is neither a version number nor one of its labels [prod]");
  }

  @Test
  void shouldAnswerWithTheRegistrysErrorWhenALabelledVersionLeftService() {
    install(ModelRouting.newBuilder().putLabels("prod", 3));
    TestVersions.serve(
        registry,
        new ModelRegistry.ServedModel(
            "m",
            new TreeMap<>(Map.of(1L, registry.get("m").ready().get(1L))),
            Map.of(3L, "unloaded")));

    assertThatThrownBy(() -> router.route("m", "prod", null))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
  }

  @Test
  void shouldTreatSignedNumbersAsVersionNumbers() {
    install(ModelRouting.newBuilder().putLabels("prod", 1));

    assertThatThrownBy(() -> router.route("m", "-1", null))
        .isInstanceOf(InferenceException.class)
        .hasMessageNotContaining("labels");
    assertThatThrownBy(() -> router.route("m", "+9", null))
        .isInstanceOf(InferenceException.class)
        .hasMessageNotContaining("labels");
  }

  @Test
  void shouldRouteAsBeforeWhenTheRouteIsRemoved() throws Exception {
    install(ModelRouting.newBuilder().setStableVersion(1));
    router.put("m", null);

    assertThat(router.get("m")).isNull();
    assertThat(router.all()).isEmpty();
    assertThat(router.route("m", "", null).version().version()).isEqualTo(3);
  }

  @Test
  void shouldTreatVersionsStartingWithZeroOrNineAsNumbers() {
    install(ModelRouting.newBuilder().putLabels("prod", 1));

    assertThatThrownBy(() -> router.route("m", "9", null))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> router.route("m", "0", null))
        .isInstanceOf(InferenceException.class)
        .hasMessageNotContaining("labels");
  }
}
