package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutEndToEndTest {
  @TempDir Path repo;

  /** Steady closed-loop load from a few threads, counting answers and failures per version. */
  private static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final LongAdder v1 = new LongAdder();
    final LongAdder v2 = new LongAdder();
    final LongAdder v2Failures = new LongAdder();
    final LongAdder otherFailures = new LongAdder();
    final ExecutorService pool = Executors.newFixedThreadPool(4);

    Load(RoutingFixture f) {
      for (int t = 0; t < 4; t++) {
        pool.execute(
            () -> {
              int i = 0;
              while (running.get()) {
                try {
                  String v = f.infer("", i++).getModelVersion();
                  (v.equals("1") ? v1 : v2).increment();
                } catch (StatusRuntimeException e) {
                  String d = String.valueOf(e.getStatus().getDescription());
                  (d.contains(" v2") ? v2Failures : otherFailures).increment();
                }
              }
            });
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void startRollout(RoutingFixture f) {
    // No latency gate here: a cold version's first requests can be slow on a busy machine.
    startRollout(f, RolloutPolicy.newBuilder().setMaxErrorRate(0.05), null);
  }

  private static void startRollout(
      RoutingFixture f, RolloutPolicy.Builder gates, io.tensorgate.proto.admin.v1.Shadow shadow) {
    if (gates.getWindowSeconds() == 0) {
      gates.setWindowSeconds(2);
    }
    if (gates.getMinDwellSeconds() == 0) {
      gates.setMinDwellSeconds(0.5);
    }
    RolloutPolicy policy =
        gates
            .addStepsPercent(10)
            .addStepsPercent(50)
            .addStepsPercent(100)
            .setMinRequests(20)
            .setMinGateRequests(10)
            .build();
    ModelRouting.Builder routing =
        ModelRouting.newBuilder()
            .putLabels("stable", 1)
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2))
            .setRollout(policy);
    if (shadow != null) {
      routing.setShadow(shadow);
    }
    f.admin()
        .setRouting(
            SetRoutingRequest.newBuilder().setModelName(f.model).setRouting(routing).build());
  }

  /**
   * Sends requests to both versions before a latency-gated rollout: a cold version's first answers
   * are slow (class loading, JIT) and would otherwise sit in the gate's windows.
   */
  private static void warmUp(RoutingFixture f) {
    for (int i = 0; i < 50; i++) {
      f.infer("1", i);
      f.infer("2", i);
    }
  }

  private static List<RoutingEvent> events(RoutingFixture f) {
    return f.admin()
        .listEvents(ListEventsRequest.newBuilder().setModelName(f.model).build())
        .getEventsList();
  }

  @Test
  void shouldRollBackWithinSecondsWhenTheCanaryStartsFailingUnderLoad() throws Exception {
    RoutingFixture.writeModel(repo, "rollback");
    ScriptedBackend.Behaviour v2 = ScriptedBackend.of("rollback", 2);
    try (RoutingFixture f = RoutingFixture.start(repo, "rollback", RoutingFixture.fast());
        Load load = new Load(f)) {
      startRollout(f);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> f.routing().getRouting().getCanary().getWeightPercent() == 50);
      long v2Before = load.v2.sum();
      long breachStart = System.nanoTime();
      v2.fail = true;
      AtomicLong rolledBackAt = new AtomicLong();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                boolean done = !f.routing().getRouting().hasCanary();
                if (done) {
                  rolledBackAt.set(System.nanoTime());
                }
                return done;
              });
      double seconds = (rolledBackAt.get() - breachStart) / 1e9;
      long bad = load.v2Failures.sum();
      System.out.printf(
          "rollback: %.3f s from breach to rollback; %d requests reached the failing v2"
              + " (v2 served %d before the breach)%n",
          seconds, bad, v2Before);
      assertThat(seconds).isLessThan(5);
      long v1After = load.v1.sum();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.v1.sum() > v1After + 100);
      long failuresAfter = load.v2Failures.sum();
      long v1Later = load.v1.sum();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.v1.sum() > v1Later + 100);
      assertThat(load.v2Failures.sum()).as("no failure once rolled back").isEqualTo(failuresAfter);
      assertThat(load.otherFailures.sum()).isZero();
      RoutingEvent last = events(f).get(events(f).size() - 1);
      assertThat(last.getKind()).isEqualTo("rollback");
      assertThat(last.getReason()).contains("error rate");
      assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(1);
    }
  }

  @Test
  void shouldPromoteToOneHundredPercentWhenTheCanaryStaysHealthy() throws Exception {
    RoutingFixture.writeModel(repo, "promote");
    try (RoutingFixture f = RoutingFixture.start(repo, "promote", RoutingFixture.fast());
        Load load = new Load(f)) {
      startRollout(f);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> f.routing().getRouting().getStableVersion() == 2);
      ModelRouting r = f.routing().getRouting();
      assertThat(r.hasCanary()).isFalse();
      assertThat(r.getLabelsMap()).containsEntry("stable", 2L);
      assertThat(events(f)).extracting(RoutingEvent::getKind).contains("step", "promote");
      long v2Now = load.v2.sum();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.v2.sum() > v2Now + 100);
      long v1Now = load.v1.sum();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.v2.sum() > v2Now + 300);
      assertThat(load.v1.sum()).as("all traffic on v2 after promotion").isEqualTo(v1Now);
      assertThat(load.v2Failures.sum() + load.otherFailures.sum()).isZero();
    }
  }

  @Test
  void shouldRollBackWhenTheShadowedCanaryAnswersDifferently() throws Exception {
    RoutingFixture.writeModel(repo, "diverge");
    ScriptedBackend.of("diverge", 2).offset = 1;
    try (RoutingFixture f = RoutingFixture.start(repo, "diverge", RoutingFixture.fast());
        Load load = new Load(f)) {
      startRollout(
          f,
          RolloutPolicy.newBuilder().setMaxMismatchRate(0.01),
          io.tensorgate.proto.admin.v1.Shadow.newBuilder().setVersion(2).setFraction(1).build());
      await().atMost(Duration.ofSeconds(20)).until(() -> !f.routing().getRouting().hasCanary());
      RoutingEvent last = events(f).get(events(f).size() - 1);
      assertThat(last.getKind()).isEqualTo("rollback");
      assertThat(last.getReason()).contains("mismatch rate");
      assertThat(load.v2Failures.sum() + load.otherFailures.sum()).isZero();
    }
  }

  @Test
  void shouldJudgeARolloutStartedRightAfterAnAdminRollbackOnlyByItsOwnRequests() throws Exception {
    RoutingFixture.writeModel(repo, "readmit");
    ScriptedBackend.Behaviour v2 = ScriptedBackend.of("readmit", 2);
    v2.fail = true;
    // Slow ticks: the rollback and the new rollout below land between two of them.
    RoutingOptions slowTicks = new RoutingOptions().rolloutTick(Duration.ofMillis(500));
    try (RoutingFixture f = RoutingFixture.start(repo, "readmit", slowTicks);
        Load load = new Load(f)) {
      // No gate and a long dwell: the failing canary stays at its first step, failures pile up.
      startRollout(
          f, RolloutPolicy.newBuilder().setWindowSeconds(30).setMinDwellSeconds(600), null);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> f.routing().getRouting().getCanary().getWeightPercent() == 10);
      long failures = load.v2Failures.sum();
      await().atMost(Duration.ofSeconds(20)).until(() -> load.v2Failures.sum() > failures + 30);
      v2.fail = false;

      f.admin().rollback(RollbackRequest.newBuilder().setModelName(f.model).build());
      startRollout(f, RolloutPolicy.newBuilder().setMaxErrorRate(0.05).setWindowSeconds(30), null);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  f.routing().getRouting().getStableVersion() == 2
                      || !f.routing().getRouting().hasCanary());
      assertThat(events(f))
          .filteredOn(e -> e.getKind().equals("rollback"))
          .as("only the admin's rollback")
          .singleElement()
          .satisfies(e -> assertThat(e.getReason()).contains("admin"));
      assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(2);
    }
  }

  @Test
  void shouldPromoteACanaryWhenItsP99IsOverTheRatioButWithinTheFloor() throws Exception {
    RoutingFixture.writeModel(repo, "nearly");
    ScriptedBackend.of("nearly", 1).delayNanos = 2_000_000;
    ScriptedBackend.of("nearly", 2).delayNanos = 6_000_000; // 3 x stable, 4 ms apart
    try (RoutingFixture f = RoutingFixture.start(repo, "nearly", RoutingFixture.fast())) {
      warmUp(f);
      try (Load load = new Load(f)) {
        // A floor well above a busy machine's noise, which reaches both versions alike.
        startRollout(f, RolloutPolicy.newBuilder().setMaxP99Ratio(1.5).setMinP99DeltaMs(50), null);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    f.routing().getRouting().getStableVersion() == 2
                        || !f.routing().getRouting().hasCanary());
        assertThat(events(f)).extracting(RoutingEvent::getKind).doesNotContain("rollback");
        assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(2);
      }
    }
  }

  @Test
  void shouldJudgeANewRolloutOnlyByItsOwnRequestsWhenAnEarlierOneFailed() throws Exception {
    RoutingFixture.writeModel(repo, "again");
    ScriptedBackend.Behaviour v2 = ScriptedBackend.of("again", 2);
    v2.fail = true;
    // A window long enough to still hold the first rollout's failures when the second begins.
    RolloutPolicy.Builder gates =
        RolloutPolicy.newBuilder().setMaxErrorRate(0.05).setWindowSeconds(30);
    try (RoutingFixture f = RoutingFixture.start(repo, "again", RoutingFixture.fast());
        Load load = new Load(f)) {
      startRollout(f, gates.clone(), null);
      await().atMost(Duration.ofSeconds(20)).until(() -> !f.routing().getRouting().hasCanary());
      v2.fail = false;

      startRollout(f, gates.clone(), null);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  f.routing().getRouting().getStableVersion() == 2
                      || events(f).stream().filter(e -> e.getKind().equals("rollback")).count()
                          > 1);
      assertThat(events(f))
          .filteredOn(e -> e.getKind().equals("rollback"))
          .as("only the first rollout was rolled back")
          .hasSize(1);
      assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(2);
    }
  }

  @Test
  void shouldRollBackWhenTheCanaryIsSlowerThanTheLatencyGateAllows() throws Exception {
    RoutingFixture.writeModel(repo, "slow");
    try (RoutingFixture f = RoutingFixture.start(repo, "slow", RoutingFixture.fast())) {
      warmUp(f);
      ScriptedBackend.of("slow", 2).delayNanos = 200_000_000;
      try (Load load = new Load(f)) {
        startRollout(f, RolloutPolicy.newBuilder().setMaxP99Ratio(3), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> !f.routing().getRouting().hasCanary());
        // One snapshot: events may still be appended while the test reads them.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> events(f).stream().anyMatch(e -> e.getKind().equals("rollback")));
        List<RoutingEvent> all = events(f);
        assertThat(all)
            .filteredOn(e -> e.getKind().equals("rollback"))
            .singleElement()
            .satisfies(e -> assertThat(e.getReason()).contains("p99"));
        assertThat(f.routing().getRouting().getStableVersion()).isEqualTo(1);
      }
    }
  }
}
