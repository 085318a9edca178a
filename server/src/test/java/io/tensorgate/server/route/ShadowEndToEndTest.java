package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.tensorgate.proto.admin.v1.Divergence;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.server.Requests;
import io.tensorgate.server.metrics.Scrape;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadowEndToEndTest {
  @TempDir Path repo;

  private static void shadow(RoutingFixture f, Shadow.Builder shadow) {
    f.admin()
        .setRouting(
            SetRoutingRequest.newBuilder()
                .setModelName(f.model)
                .setRouting(ModelRouting.newBuilder().setStableVersion(1).setShadow(shadow))
                .build());
  }

  private static Divergence divergence(RoutingFixture f) {
    return f.routing().getDivergence(0);
  }

  /** Sends n requests one after the other; returns each latency in nanoseconds, sorted. */
  private static long[] send(RoutingFixture f, int n) {
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ModelInferResponse r = f.infer("", i);
      lat[i] = System.nanoTime() - t0;
      assertThat(r.getModelVersion()).isEqualTo("1");
      int[] out = Requests.readInt32s(r.getRawOutputContents(0));
      assertThat(out[0]).as("the client sees the primary's answer").isEqualTo(i);
    }
    Arrays.sort(lat);
    return lat;
  }

  @Test
  void shouldKeepThePrimaryHealthyWhenTheShadowFailsEveryRequest() throws Exception {
    RoutingFixture.writeModel(repo, "sfail");
    ScriptedBackend.of("sfail", 2).fail = true;
    try (RoutingFixture f = RoutingFixture.start(repo, "sfail", RoutingFixture.fast())) {
      shadow(f, Shadow.newBuilder().setVersion(2).setFraction(1));
      send(f, 200); // every answer is checked inside
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> divergence(f).getShadowFailures() + divergence(f).getDropped() == 200);
      Divergence d = divergence(f);
      assertThat(d.getShadowRequests()).isEqualTo(200);
      assertThat(d.getShadowFailures()).isPositive();
      assertThat(d.getComparisons()).isZero();
    }
  }

  @Test
  void shouldKeepPrimaryLatencyAndCountDropsWhenTheShadowIsTenTimesSlower() throws Exception {
    RoutingFixture.writeModel(repo, "sslow");
    ScriptedBackend.of("sslow", 1).delayNanos = 2_000_000;
    ScriptedBackend.of("sslow", 2).delayNanos = 20_000_000;
    // One shadow in flight: the 20 ms shadow can take at most 50 mirrors a second while the
    // primary answers every few ms, so mirrors must be dropped.
    RoutingOptions o = RoutingFixture.fast().shadowQueue(1).shadowMaxInFlight(1);
    try (RoutingFixture f = RoutingFixture.start(repo, "sslow", o)) {
      shadow(f, Shadow.newBuilder()); // stable version 1, no shadow yet
      send(f, 50); // warm-up
      long[] without = send(f, 150);
      shadow(f, Shadow.newBuilder().setVersion(2).setFraction(1));
      long[] with = send(f, 150);
      long p50Without = without[75];
      long p50With = with[75];
      System.out.printf(
          "shadow 10x slower: primary p50 %.2f ms without shadow, %.2f ms with; p90 %.2f / %.2f"
              + " ms%n",
          p50Without / 1e6, p50With / 1e6, without[135] / 1e6, with[135] / 1e6);
      // Noise bound: the shadow runs on other threads and never delays the answer.
      assertThat(p50With).isLessThan(p50Without * 3 / 2 + 2_000_000);
      Divergence d = divergence(f);
      assertThat(d.getDropped()).isPositive();
      double dropped =
          f
              .running
              .server
              .meterRegistry()
              .find("tensorgate.shadow.dropped")
              .tag("model", "sslow")
              .counters()
              .stream()
              .mapToDouble(Counter::count)
              .sum();
      assertThat(dropped).isEqualTo(d.getDropped());
      assertThat(
              f.running
                  .server
                  .meterRegistry()
                  .get("tensorgate.shadow.requests")
                  .tag("model", "sslow")
                  .counter()
                  .count())
          .isEqualTo(150);
    }
  }

  @Test
  void shouldReportDivergenceWhenTheShadowAnswersDifferently() throws Exception {
    RoutingFixture.writeModel(repo, "sdiff");
    ScriptedBackend.of("sdiff", 2).offset = 1;
    try (RoutingFixture f = RoutingFixture.start(repo, "sdiff", RoutingFixture.fast())) {
      shadow(f, Shadow.newBuilder().setVersion(2).setFraction(1));
      send(f, 100);
      await().atMost(Duration.ofSeconds(10)).until(() -> divergence(f).getComparisons() == 100);
      Divergence d = divergence(f);
      assertThat(d.getPrimaryVersion()).isEqualTo(1);
      assertThat(d.getShadowVersion()).isEqualTo(2);
      assertThat(d.getExactMatchRate()).isZero();
      assertThat(d.getMismatches()).isEqualTo(100);
      assertThat(d.getMaxAbsDiff()).isEqualTo(1.0);
      assertThat(d.getTop1Comparisons()).isEqualTo(100);
      assertThat(d.getTop1AgreementRate()).isZero();
      assertThat(
              f.running
                  .server
                  .meterRegistry()
                  .get("tensorgate.divergence.mismatches")
                  .tag("model", "sdiff")
                  .counter()
                  .count())
          .isEqualTo(100);
    }
  }

  private static void setShadow(RoutingFixture f, double fraction, double absTolerance) {
    f.admin()
        .setShadow(
            SetShadowRequest.newBuilder()
                .setModelName(f.model)
                .setShadow(
                    Shadow.newBuilder()
                        .setVersion(2)
                        .setFraction(fraction)
                        .setAbsTolerance(absTolerance))
                .build());
  }

  /** Waits until every mirror sent so far was compared, failed or dropped; the only entry. */
  private static Divergence settled(RoutingFixture f, long atLeastMirrored) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              long mirrored = 0;
              long done = 0;
              for (Divergence d : f.routing().getDivergenceList()) {
                mirrored += d.getShadowRequests();
                done += d.getComparisons() + d.getShadowFailures() + d.getDropped();
              }
              return mirrored >= atLeastMirrored && done == mirrored;
            });
    assertThat(f.routing().getDivergenceList()).hasSize(1);
    return divergence(f);
  }

  @Test
  void shouldKeepOneDivergenceEntryPerPairWhenTheShadowSettingChanges() throws Exception {
    RoutingFixture.writeModel(repo, "ssettings");
    try (RoutingFixture f = RoutingFixture.start(repo, "ssettings", RoutingFixture.fast())) {
      f.admin()
          .setLabel(
              io.tensorgate.proto.admin.v1.SetLabelRequest.newBuilder()
                  .setModelName(f.model)
                  .setLabel("stable")
                  .setVersion(1)
                  .build());
      setShadow(f, 1, 0);
      for (int i = 0; i < 10; i++) {
        f.infer("1", i);
      }
      assertThat(settled(f, 10).getComparisons()).isEqualTo(10);

      setShadow(f, 0.5, 0); // a new fraction: the same comparisons go on
      for (int i = 0; i < 40; i++) {
        f.infer("1", i);
      }
      Divergence afterFraction = settled(f, 11);
      assertThat(afterFraction.getComparisons()).isGreaterThan(10);

      setShadow(f, 1, 0.5); // a new tolerance: the entry restarts, and an event says so
      Divergence restarted = f.routing().getDivergence(0);
      assertThat(restarted.getComparisons()).isZero();
      assertThat(restarted.getAbsTolerance()).isEqualTo(0.5);
      assertThat(restarted.getSinceUnixMillis())
          .isGreaterThanOrEqualTo(afterFraction.getSinceUnixMillis());
      for (int i = 0; i < 10; i++) {
        f.infer("1", i);
      }

      assertThat(settled(f, 10).getComparisons()).isEqualTo(10);
      assertThat(
              f.admin()
                  .listEvents(ListEventsRequest.newBuilder().setModelName(f.model).build())
                  .getEventsList())
          .filteredOn(e -> e.getKind().equals("divergence"))
          .singleElement()
          .satisfies(e -> assertThat(e.getReason()).contains("version 1", "abs 0.5"));
    }
  }

  @Test
  void shouldCountMirroredWorkInNoStatisticsOfTheShadowVersionWhenMirrored() throws Exception {
    RoutingFixture.writeModel(repo, "scount");
    try (RoutingFixture f = RoutingFixture.start(repo, "scount", RoutingFixture.fast())) {
      shadow(f, Shadow.newBuilder().setVersion(2).setFraction(1));
      send(f, 20);
      await().atMost(Duration.ofSeconds(10)).until(() -> divergence(f).getComparisons() == 20);

      ModelStatistics shadowStats = statistics(f, "2");
      ModelStatistics primaryStats = statistics(f, "1");
      Scrape m = Scrape.of(f.running.server.metricsPort());
      String[] v1 = {"model", "scount", "version", "1"};
      String[] v2 = {"model", "scount", "version", "2"};

      assertThat(shadowStats.getInferenceCount()).isZero();
      assertThat(shadowStats.getExecutionCount()).isZero();
      assertThat(shadowStats.getBatchStatsList()).isEmpty();
      assertThat(m.value("nv_inference_count", v2)).isZero();
      assertThat(m.value("nv_inference_exec_count", v2)).isZero();
      assertThat(m.value("tensorgate_inference_batch_size_count", v2)).isZero();
      assertThat(m.value("tensorgate_inference_batch_size_sum", v2)).isZero();
      assertThat(m.value("tensorgate_inference_request_duration_seconds_count", v2)).isZero();
      assertThat(m.value("tensorgate_shadow_requests_total", v2)).isEqualTo(20);
      // The primary's figures agree with each other: 20 requests of batch 1, 20 executions.
      assertThat(primaryStats.getInferenceCount()).isEqualTo(20);
      assertThat(primaryStats.getExecutionCount()).isEqualTo(20);
      assertThat(m.value("nv_inference_exec_count", v1)).isEqualTo(20);
      assertThat(m.value("tensorgate_inference_batch_size_sum", v1)).isEqualTo(20);
    }
  }

  private static ModelStatistics statistics(RoutingFixture f, String version) {
    return f.running
        .blocking()
        .modelStatistics(
            ModelStatisticsRequest.newBuilder().setName(f.model).setVersion(version).build())
        .getModelStats(0);
  }

  @Test
  void shouldReportFullAgreementWhenTheShadowAnswersTheSame() throws Exception {
    RoutingFixture.writeModel(repo, "ssame");
    try (RoutingFixture f = RoutingFixture.start(repo, "ssame", RoutingFixture.fast())) {
      shadow(f, Shadow.newBuilder().setVersion(2).setFraction(1));
      send(f, 50);
      await().atMost(Duration.ofSeconds(10)).until(() -> divergence(f).getComparisons() == 50);
      Divergence d = divergence(f);
      assertThat(d.getExactMatchRate()).isEqualTo(1.0);
      assertThat(d.getMismatches()).isZero();
      assertThat(d.getTop1AgreementRate()).isEqualTo(1.0);
    }
  }
}
