package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.grpc.Context;
import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.ExecutionTimestamps;
import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RolloutState;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.codec.DecodedRequest;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.repository.LoadedVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout controller's steps, driven tick by tick on a clock the test moves. */
class RolloutControllerTest {
  private static final long SECOND = 1_000_000_000L;

  @TempDir Path repository;

  private RoutingGraph g;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(repository.resolve("m"));
    g = new RoutingGraph(repository);
  }

  private void start(RolloutPolicy.Builder policy, double weight) throws Exception {
    g.control.apply(
        "m",
        c ->
            ModelRouting.newBuilder()
                .setStableVersion(1)
                .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(weight))
                .setRollout(policy)
                .build(),
        "set",
        "test");
  }

  private static RolloutPolicy.Builder steps(double... percent) {
    RolloutPolicy.Builder p = RolloutPolicy.newBuilder().setMinDwellSeconds(1);
    for (double s : percent) {
      p.addStepsPercent(s);
    }
    return p;
  }

  private void tickAt(double seconds) {
    g.nanos.set(SECOND + (long) (seconds * SECOND));
    g.rollouts.tick();
  }

  private ModelRouting routing() throws Exception {
    return g.control.current("m");
  }

  private RoutingEvent lastEvent() {
    List<RoutingEvent> e = g.control.events().list("m", 1);
    return e.get(0);
  }

  /** Records {@code n} answered requests of {@code version}, failed or not, 1 ms each. */
  private void answered(long version, int n, boolean failed) {
    LoadedVersion v = g.registry.get("m").ready().get(version);
    long now = g.nanos.get();
    for (int i = 0; i < n; i++) {
      g.windows.onComplete(
          new Completed(
              v,
              failed ? new InferenceError(ErrorCode.INTERNAL, "boom") : null,
              now - 1_000_000,
              now));
    }
  }

  private record Completed(
      LoadedVersion version, InferenceError error, long arrivalNanos, long endNanos)
      implements CompletedRequest {
    @Override
    public String routeReason() {
      return "canary";
    }

    @Override
    public ModelInferRequest wire() {
      return ModelInferRequest.getDefaultInstance();
    }

    @Override
    public DecodedRequest decoded() {
      return null;
    }

    @Override
    public List<Tensor> outputs() {
      return List.of();
    }

    @Override
    public long dispatchNanos() {
      return arrivalNanos;
    }

    @Override
    public ExecutionTimestamps execution() {
      return null;
    }

    @Override
    public int batchSize() {
      return 1;
    }

    @Override
    public Context grpcContext() {
      return Context.ROOT;
    }
  }

  @Test
  void shouldMoveTheWeightUpToTheNextStepWhenTheRolloutStartsBetweenSteps() throws Exception {
    start(steps(10, 50, 100), 30);

    tickAt(0);

    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(50);
    assertThat(lastEvent().getReason()).isEqualTo("rollout at step 2: canary weight 50.00 %");
  }

  @Test
  void shouldMoveTheWeightToTheFirstStepWhenTheRolloutStartsBelowIt() throws Exception {
    start(steps(10, 50, 100), 5);

    tickAt(0);

    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(10);
    assertThat(lastEvent().getReason()).isEqualTo("rollout at step 1: canary weight 10.00 %");
  }

  @Test
  void shouldStayOnTheStepWhileTheDwellLasts() throws Exception {
    start(steps(10, 50, 100), 10);
    tickAt(0);

    tickAt(0.9);

    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(10);
    assertThat(g.rollouts.state("m").getPhase()).isEqualTo(RolloutState.Phase.PROGRESSING);
    assertThat(g.rollouts.state("m").getStep()).isZero();
  }

  @Test
  void shouldKeepAHealthyCanaryAndStepUpWhenTheDwellIsOver() throws Exception {
    start(steps(10, 50, 100).setMaxErrorRate(0.1), 10);
    tickAt(0);
    answered(2, 20, false);
    answered(1, 20, false);

    tickAt(1.1);

    assertThat(routing().getCanary().getVersion()).isEqualTo(2);
    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(50);
    assertThat(lastEvent().getReason())
        .isEqualTo("gates passed at step 1; step 2: canary weight 50.00 %");
    assertThat(g.rollouts.state("m").getStep()).isEqualTo(1);
  }

  @Test
  void shouldPromoteTheCanaryWhenTheLastStepBelowOneHundredPassed() throws Exception {
    start(steps(10, 50, 100), 10);
    tickAt(0);
    tickAt(1.1);

    tickAt(2.2);

    assertThat(routing().getStableVersion()).isEqualTo(2);
    assertThat(routing().hasCanary()).isFalse();
    assertThat(lastEvent().getKind()).isEqualTo("promote");
    assertThat(g.rollouts.state("m").getPhase()).isEqualTo(RolloutState.Phase.IDLE);
  }

  @Test
  void shouldWaitForTheMinimumCanaryRequestsBeforeSteppingUp() throws Exception {
    start(steps(10, 50, 100).setMinRequests(5), 10);
    tickAt(0);
    answered(2, 4, false);

    tickAt(1.1);
    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(10);

    answered(2, 1, false);
    tickAt(1.2);
    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(50);
  }

  @Test
  void shouldRollBackWhenTheCanaryFailsTooOften() throws Exception {
    start(steps(10, 50, 100).setMaxErrorRate(0.1), 10);
    tickAt(0);
    answered(2, 10, false);
    answered(2, 10, true);

    tickAt(0.5);

    assertThat(routing().hasCanary()).isFalse();
    assertThat(routing().getStableVersion()).isEqualTo(1);
    assertThat(lastEvent().getKind()).isEqualTo("rollback");
    assertThat(lastEvent().getReason())
        .startsWith("canary version 2 rolled back: error rate 0.500");
  }

  @Test
  void shouldIgnoreRoutesWithoutARolloutPolicy() throws Exception {
    g.control.apply(
        "m",
        c ->
            ModelRouting.newBuilder()
                .setStableVersion(1)
                .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(30))
                .build(),
        "set",
        "test");

    tickAt(5);

    assertThat(routing().getCanary().getWeightPercent()).isEqualTo(30);
    assertThat(g.rollouts.state("m").getPhase()).isEqualTo(RolloutState.Phase.IDLE);
    assertThat(g.windows.models()).isEmpty();
  }

  /** A rollout of canary 2 over stable 1 with every request mirrored to {@code shadow}. */
  private void startShadowed(long shadow) throws Exception {
    g.control.apply(
        "m",
        c ->
            ModelRouting.newBuilder()
                .setStableVersion(1)
                .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(10))
                .setShadow(Shadow.newBuilder().setVersion(shadow).setFraction(1))
                .setRollout(steps(10, 50, 100).setMaxMismatchRate(0.1))
                .build(),
        "set",
        "test");
  }

  /** Records {@code n} comparisons of stable 1 against the shadow, {@code mismatching} of them. */
  private void compared(int n, int mismatching) {
    DivergenceStats d =
        g.divergence.entry(g.registry.get("m").ready().get(1L), g.router.get("m").shadow);
    for (int i = 0; i < n; i++) {
      d.record(new OutputComparison.Result(false, i < mismatching, 1, 1, 0, 0));
    }
  }

  @Test
  void shouldRollBackOnTheMismatchesSinceTheStepBeganWhenTheShadowIsTheCanary() throws Exception {
    startShadowed(2);
    compared(20, 2);
    tickAt(0);
    compared(10, 6);

    tickAt(0.5);

    assertThat(routing().hasCanary()).isFalse();
    assertThat(lastEvent().getReason())
        .isEqualTo(
            "canary version 2 rolled back: shadow mismatch rate 0.600 over 10 comparisons"
                + " exceeds 0.100");
  }

  @Test
  void shouldIgnoreMismatchesAgainstAShadowThatIsNotTheCanary() throws Exception {
    startShadowed(3);
    tickAt(0);
    compared(10, 10);

    tickAt(0.5);

    assertThat(routing().getCanary().getVersion()).isEqualTo(2);
  }

  @Test
  void shouldReportTheStepsAgeRequestsLatenciesAndCostRatio() throws Exception {
    start(steps(10, 50, 100), 10);
    tickAt(0);
    g.nanos.set(SECOND + SECOND / 2);
    answered(2, 20, false);
    answered(1, 10, false);
    g.registry.get("m").ready().get(2L).stats().cost().record(10, true, 3_000_000_000L);
    g.registry.get("m").ready().get(1L).stats().cost().record(10, true, 1_000_000_000L);

    RolloutState s = g.rollouts.state("m");

    assertThat(s.getStepAgeSeconds()).isEqualTo(0.5);
    assertThat(s.getStepCanaryRequests()).isEqualTo(20);
    assertThat(s.getCanaryP99Ms()).isCloseTo(1.0, offset(0.01));
    assertThat(s.getStableP99Ms()).isCloseTo(1.0, offset(0.01));
    assertThat(s.getCanaryCostRatio()).isCloseTo(3.0, offset(1e-9));
  }
}
