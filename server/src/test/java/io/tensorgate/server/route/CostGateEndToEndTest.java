package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.VersionCost;
import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.TensorgateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary that burns twice the CPU per inference of the stable version: GetRouting shows it, and a
 * rollout with {@code max_cost_ratio} rolls it back.
 */
class CostGateEndToEndTest {
  @TempDir Path repo;

  /** Model m on the fault backend: version 1 spins 1 ms of CPU per inference, version 2 2 ms. */
  private void writeModel() throws Exception {
    Path m = repo.resolve("m");
    for (int v = 1; v <= 2; v++) {
      Files.createDirectories(m.resolve(Integer.toString(v)));
      Files.writeString(m.resolve(v + "/model.fault"), "cpu_us_per_inference=" + (v * 1000) + "\n");
    }
    Files.writeString(
        m.resolve("config.pbtxt"),
        "platform: \"tensorgate_fault\"\nmax_batch_size: 8\n"
            + "input [{ name: \"INPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
            + "output [{ name: \"OUTPUT0\" data_type: TYPE_INT32 dims: [16] }]\n"
            + "instance_group [{ count: 1 kind: KIND_CPU }]\n"
            + "version_policy: { all {} }\n");
  }

  private RoutingFixture start() throws Exception {
    writeModel();
    return RoutingFixture.start(
        TensorgateServer.builder()
            .modelRepository(repo)
            .routing(RoutingFixture.fast())
            .governance(new GovernanceOptions().costPerCoreHour(1)),
        "m");
  }

  private static void route(RoutingFixture f, RolloutPolicy policy) {
    ModelRouting.Builder r =
        ModelRouting.newBuilder()
            .setStableVersion(1)
            .setCanary(Canary.newBuilder().setVersion(2).setWeightPercent(50));
    if (policy != null) {
      r.setRollout(policy);
    }
    f.admin().setRouting(SetRoutingRequest.newBuilder().setModelName("m").setRouting(r).build());
  }

  @Test
  void shouldShowTheCanaryCostingTwiceTheStableVersionInGetRouting() throws Exception {
    try (RoutingFixture f = start()) {
      route(f, null);
      for (int i = 0; i < 10; i++) {
        f.infer("1", i);
        f.infer("2", i);
      }

      GetRoutingResponse r = f.routing();

      VersionCost stable = cost(r.getCostsList(), 1);
      VersionCost canary = cost(r.getCostsList(), 2);
      assertThat(stable.getRole()).isEqualTo("stable");
      assertThat(canary.getRole()).isEqualTo("canary");
      assertThat(stable.getInferences()).isEqualTo(10);
      // 1 and 2 ms burnt per inference, plus the workers' own CPU time for each request
      // (assembling, answering; in a fresh JVM also loading and interpreting that code).
      assertThat(stable.getCpuSecondsPer1K()).isBetween(1.0, 1.6);
      assertThat(canary.getCpuSecondsPer1K()).isBetween(2.0, 2.6);
      assertThat(canary.getCostPer1K() / stable.getCostPer1K()).isBetween(1.6, 2.5);
    }
  }

  @Test
  void shouldNameTheHighestReadyVersionStableWhenNoRouteIsSet() throws Exception {
    try (RoutingFixture f = start()) {
      f.infer("2", 0);

      GetRoutingResponse r = f.routing();

      assertThat(cost(r.getCostsList(), 2).getRole()).isEqualTo("stable");
      assertThat(cost(r.getCostsList(), 1).getRole()).isEmpty();
    }
  }

  @Test
  void shouldRollBackACanaryThatCostsTwiceAsMuch() throws Exception {
    RolloutPolicy policy =
        RolloutPolicy.newBuilder()
            .addStepsPercent(50)
            .addStepsPercent(100)
            .setMinDwellSeconds(600)
            .setMinRequests(1_000_000)
            .setMinGateRequests(10)
            .setMaxCostRatio(1.5)
            .build();
    AtomicBoolean running = new AtomicBoolean(true);
    try (RoutingFixture f = start()) {
      route(f, policy);
      Thread load =
          new Thread(
              () -> {
                for (int i = 0; running.get(); i++) {
                  f.infer("", i);
                }
              });
      load.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> !f.routing().getRouting().hasCanary());
      } finally {
        running.set(false);
        load.join(10_000);
      }

      List<RoutingEvent> events =
          f.admin()
              .listEvents(ListEventsRequest.newBuilder().setModelName("m").build())
              .getEventsList();
      RoutingEvent last = events.get(events.size() - 1);
      assertThat(last.getKind()).isEqualTo("rollback");
      assertThat(last.getReason())
          .startsWith("canary version 2 rolled back: cost per 1000 inferences is")
          .contains("x the stable version's")
          .endsWith("above 1.50");
    }
  }

  private static VersionCost cost(List<VersionCost> costs, long version) {
    return costs.stream().filter(c -> c.getVersion() == version).findFirst().orElseThrow();
  }
}
