package io.tensorgate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.repository.ModelRepositoryManager.ControlMode;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics after real traffic: Triton's names, Tensorgate's histograms, promtool's verdict. */
class MetricsEndToEndTest {
  private static final String[] SIMPLE = {"model", "simple", "version", "1"};

  /** Triton's latency counter names carry the abbreviated unit promtool's linter flags. */
  private static final List<String> TRITON_LATENCY_COUNTERS =
      List.of(
          "nv_inference_request_duration_us",
          "nv_inference_queue_duration_us",
          "nv_inference_compute_input_duration_us",
          "nv_inference_compute_infer_duration_us",
          "nv_inference_compute_output_duration_us");

  /** Triton's other counters, named without the {@code _total} suffix promtool expects. */
  private static final List<String> TRITON_COUNTERS =
      List.of(
          "nv_inference_request_success",
          "nv_inference_request_failure",
          "nv_inference_count",
          "nv_inference_exec_count");

  /** Triton's names that end in {@code _count} without being a histogram's or summary's. */
  private static final List<String> TRITON_COUNT_NAMES =
      List.of(
          "nv_inference_count", "nv_inference_exec_count", "nv_inference_pending_request_count");

  private static final Pattern SAMPLE = Pattern.compile("^(nv_inference_[a-z_]+)\\{.*\\} (.*)$");

  /** The lints promtool prints for Triton's names, all kept for compatibility with Triton. */
  private static List<String> tritonLints(boolean counterLatencies) {
    List<String> counters = new ArrayList<>(TRITON_COUNTERS);
    List<String> lints = new ArrayList<>();
    if (counterLatencies) {
      counters.addAll(TRITON_LATENCY_COUNTERS);
      TRITON_LATENCY_COUNTERS.forEach(
          n -> lints.add(n + " metric names should not contain abbreviated units"));
    }
    counters.forEach(n -> lints.add(n + " counter metrics should have \"_total\" suffix"));
    TRITON_COUNT_NAMES.forEach(
        n ->
            lints.add(
                n + " non-histogram and non-summary metrics should not have \"_count\" suffix"));
    return lints;
  }

  @TempDir Path repo;

  private RunningServer start(ObservabilityOptions o) throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    return RunningServer.start(TensorgateServer.builder().modelRepository(repo).observability(o));
  }

  /** Five requests of batch 1, one of batch 4, one refused (wrong datatype). */
  private static void traffic(RunningServer s) {
    for (int i = 0; i < 5; i++) {
      s.blocking().modelInfer(Requests.simple(1));
    }
    s.blocking().modelInfer(Requests.simple(4));
    ModelInferRequest wrongType =
        Requests.simple(1).toBuilder()
            .setInputs(0, Requests.input("INPUT0", "FP32", 1, 16))
            .build();
    assertThatThrownBy(() -> s.blocking().modelInfer(wrongType)).isNotNull();
  }

  @Test
  void shouldExportTritonCountersThatAgreeWithModelStatistics() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions())) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());
      ModelStatistics st =
          s.blocking()
              .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
              .getModelStats(0);
      var inf = st.getInferenceStats();

      assertThat(m.value("nv_inference_request_success", SIMPLE)).isEqualTo(6);
      assertThat(inf.getSuccess().getCount()).isEqualTo(6);
      assertThat(m.value("nv_inference_request_failure", "model", "simple", "reason", "OTHER"))
          .isEqualTo(1);
      assertThat(m.value("nv_inference_request_failure", "model", "simple", "reason", "REJECTED"))
          .isZero();
      assertThat(m.value("nv_inference_count", SIMPLE))
          .isEqualTo(st.getInferenceCount())
          .isEqualTo(9);
      assertThat(m.value("nv_inference_exec_count", SIMPLE))
          .isEqualTo(st.getExecutionCount())
          .isEqualTo(6);
      assertThat(m.value("nv_inference_request_duration_us", SIMPLE))
          .isEqualTo(inf.getSuccess().getNs() / 1000)
          .isPositive();
      assertThat(m.value("nv_inference_queue_duration_us", SIMPLE))
          .isEqualTo(inf.getQueue().getNs() / 1000);
      assertThat(m.value("nv_inference_compute_input_duration_us", SIMPLE))
          .isEqualTo(inf.getComputeInput().getNs() / 1000);
      assertThat(m.value("nv_inference_compute_infer_duration_us", SIMPLE))
          .isEqualTo(inf.getComputeInfer().getNs() / 1000);
      assertThat(m.value("nv_inference_compute_output_duration_us", SIMPLE))
          .isEqualTo(inf.getComputeOutput().getNs() / 1000);
      assertThat(m.value("nv_inference_pending_request_count", SIMPLE)).isZero();
      assertThat(m.value("nv_model_load_duration_secs", SIMPLE)).isPositive();
    }
  }

  @Test
  void shouldTypeTritonsCountersAsCountersWithIntegerValuesAsTritonDoes() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions())) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());

      List<String> counters = new ArrayList<>(TRITON_COUNTERS);
      counters.addAll(TRITON_LATENCY_COUNTERS);
      for (String name : counters) {
        assertThat(m.text).contains("# TYPE " + name + " counter\n");
        assertThat(m.find(name + "_total")).isEmpty();
      }
      assertThat(m.text)
          .contains("nv_inference_request_success{model=\"simple\",version=\"1\"} 6\n")
          .contains(
              "nv_inference_request_failure{model=\"simple\",reason=\"OTHER\",version=\"1\"}"
                  + " 1\n");
      int samples = 0;
      for (String line : m.text.split("\n")) {
        Matcher x = SAMPLE.matcher(line);
        if (x.matches() && counters.contains(x.group(1))) {
          samples++;
          assertThat(x.group(2)).as(line).matches("[0-9]+");
        }
      }
      assertThat(samples).isEqualTo(counters.size() + FailureReason.values().length - 1);
    }
  }

  @Test
  void shouldExportHistogramsWithBucketsMatchingTraffic() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions())) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());

      String request = "tensorgate_inference_request_duration_seconds";
      assertThat(m.value(request + "_count", SIMPLE)).isEqualTo(6);
      List<Scrape.Sample> buckets = m.find(request + "_bucket", SIMPLE);
      assertThat(buckets.stream().map(b -> b.labels().get("le")).collect(Collectors.toList()))
          .containsExactlyElementsOf(
              expectedBounds(
                  Arrays.stream(RequestMetrics.LATENCY_BUCKETS)
                      .mapToDouble(d -> d.toNanos() / 1e9)
                      .toArray()));
      double[] cumulative = buckets.stream().mapToDouble(Scrape.Sample::value).toArray();
      for (int i = 1; i < cumulative.length; i++) {
        assertThat(cumulative[i]).isGreaterThanOrEqualTo(cumulative[i - 1]);
      }
      assertThat(cumulative[cumulative.length - 1]).isEqualTo(6);
      assertThat(m.value(request + "_sum", SIMPLE)).isPositive();
      assertThat(m.value("tensorgate_inference_queue_duration_seconds_count", SIMPLE)).isEqualTo(6);
      assertThat(m.value("tensorgate_inference_compute_infer_duration_seconds_count", SIMPLE))
          .isEqualTo(6);

      assertThat(m.value("tensorgate_inference_batch_size_bucket", "model", "simple", "le", "1.0"))
          .isEqualTo(5);
      assertThat(m.value("tensorgate_inference_batch_size_bucket", "model", "simple", "le", "2.0"))
          .isEqualTo(5);
      assertThat(m.value("tensorgate_inference_batch_size_bucket", "model", "simple", "le", "4.0"))
          .isEqualTo(6);
      assertThat(m.value("tensorgate_inference_batch_size_count", SIMPLE)).isEqualTo(6);
      assertThat(m.value("tensorgate_inference_batch_size_sum", SIMPLE)).isEqualTo(9);

      // Request bytes count every answered request, the refused one too.
      assertThat(m.value("tensorgate_inference_request_size_bytes_count", SIMPLE)).isEqualTo(7);
      assertThat(m.value("tensorgate_inference_response_size_bytes_count", SIMPLE)).isEqualTo(6);
      // Two INT32 [b,16] outputs: 5 x 128 bytes + 1 x 512 bytes.
      assertThat(m.value("tensorgate_inference_response_size_bytes_sum", SIMPLE)).isEqualTo(1152);
      assertThat(
              m.value(
                  "tensorgate_inference_response_size_bytes_bucket",
                  "model",
                  "simple",
                  "le",
                  "256.0"))
          .isEqualTo(5);
      assertThat(m.value("tensorgate_route_requests_total", "model", "simple", "route", "default"))
          .isEqualTo(7);
      assertThat(m.find("jvm_memory_used_bytes")).isNotEmpty();
      assertThat(m.find("process_cpu_usage")).isNotEmpty();
    }
  }

  private static List<String> expectedBounds(double[] bounds) {
    List<String> out =
        Arrays.stream(bounds).mapToObj(Double::toString).collect(Collectors.toList());
    out.add("+Inf");
    return out;
  }

  @Test
  void shouldPassPromtoolExceptForTritonsOwnNames() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions())) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());

      Scrape.Promtool result = Scrape.promtool(m.text, "check", "metrics");

      // Exit 3 is promtool's "lint problems only" (a parse error exits 1). Each problem is a
      // name Triton defines and its dashboards query, which Tensorgate therefore keeps.
      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(result.output().strip().split("\n"))
          .hasSize(17)
          .containsExactlyInAnyOrderElementsOf(tritonLints(true));
    }
  }

  @Test
  void shouldLintOnlyTritonsOtherNamesWhenLatencyCountersAreOff() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions().counterLatencies(false))) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());
      assertThat(m.find("nv_inference_request_duration_us")).isEmpty();

      Scrape.Promtool result = Scrape.promtool(m.text, "check", "metrics");

      assertThat(result.output().strip().split("\n"))
          .hasSize(7)
          .containsExactlyInAnyOrderElementsOf(tritonLints(false));
      assertThat(result.exitCode()).isEqualTo(3);
    }
  }

  @Test
  void shouldPassPromtoolStrictlyWithoutTritonsFamilies() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions())) {
      traffic(s);
      Scrape m = Scrape.of(s.server.metricsPort());
      StringBuilder withoutTriton = new StringBuilder();
      for (String line : m.text.split("\n")) {
        if (!line.contains("nv_inference_") && !line.contains("nv_model_")) {
          withoutTriton.append(line).append('\n');
        }
      }

      Scrape.Promtool result = Scrape.promtool(withoutTriton.toString(), "check", "metrics");

      assertThat(result.output()).isEmpty();
      assertThat(result.exitCode()).isZero();
    }
  }

  @Test
  void shouldRemoveVersionSeriesWhenModelIsUnloaded() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    try (RunningServer s = RunningServer.start(repo, ControlMode.EXPLICIT, List.of("simple"))) {
      s.blocking().modelInfer(Requests.simple(1));
      assertThat(Scrape.of(s.server.metricsPort()).find("nv_inference_count", SIMPLE)).hasSize(1);

      s.blocking()
          .repositoryModelUnload(
              RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());

      Scrape after = Scrape.of(s.server.metricsPort());
      assertThat(after.samples).noneMatch(x -> "simple".equals(x.labels().get("model")));
    }
  }

  @Test
  void shouldServeNoMetricsWhenNotAllowed() throws Exception {
    try (RunningServer s = start(new ObservabilityOptions().allowMetrics(false))) {
      assertThat(s.server.metricsPort()).isEqualTo(-1);
    }
  }
}
