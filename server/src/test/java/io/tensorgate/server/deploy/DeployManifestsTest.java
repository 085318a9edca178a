package io.tensorgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tensorgate.proto.admin.v1.GetDriftRequest;
import io.tensorgate.proto.admin.v1.ModelDrift;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/: manifests parse and say what matters; rules pass promtool; queries name real metrics.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = TestRepository.PROJECT.resolve("deploy");

  /** Metrics the routing feature (canary, shadow, divergence) is expected to bind. */
  static final Set<String> ROUTING_METRICS =
      Set.of(
          "tensorgate_canary_requests_total",
          "tensorgate_shadow_requests_total",
          "tensorgate_shadow_dropped_total",
          "tensorgate_divergence_comparisons_total",
          "tensorgate_divergence_mismatches_total");

  private static final Pattern METRIC =
      Pattern.compile("\\b((?:nv|tensorgate|jvm|process)_[a-z0-9_]+|tensorgate:[a-z0-9_:]+)\\b");

  @TempDir Path repo;

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> yaml(String file) throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(DEPLOY.resolve(file))) {
      for (Object o : new Yaml().loadAll(r)) {
        docs.add((Map<String, Object>) o);
      }
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Object at(Object node, Object... path) {
    Object n = node;
    for (Object p : path) {
      n = p instanceof Integer i ? ((List<Object>) n).get(i) : ((Map<String, Object>) n).get(p);
    }
    return n;
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldProbeHealthServiceOverGrpcInDeployment() throws Exception {
    Map<String, Object> d = yaml("kubernetes/deployment.yaml").get(0);
    assertThat(d.get("kind")).isEqualTo("Deployment");
    Object c = at(d, "spec", "template", "spec", "containers", 0);
    assertThat(at(c, "livenessProbe", "grpc", "port")).isEqualTo(8001);
    assertThat(at(c, "livenessProbe", "grpc", "service")).isEqualTo("liveness");
    assertThat(at(c, "readinessProbe", "grpc", "port")).isEqualTo(8001);
    assertThat(at(c, "readinessProbe", "grpc", "service"))
        .isEqualTo("inference.GRPCInferenceService");
    assertThat(at(c, "startupProbe", "grpc", "port")).isEqualTo(8001);
    assertThat((List<Object>) at(c, "args"))
        .contains("--grpc-address=0.0.0.0", "--grpc-port=8001", "--metrics-port=8002");
    assertThat((Integer) at(d, "spec", "template", "spec", "terminationGracePeriodSeconds"))
        .isGreaterThan(30);
    assertThat(at(d, "spec", "selector", "matchLabels"))
        .isEqualTo(at(d, "spec", "template", "metadata", "labels"));
  }

  @Test
  void shouldExposeClusterIpAndHeadlessServicesOnGrpcPort() throws Exception {
    List<Map<String, Object>> s = yaml("kubernetes/service.yaml");
    assertThat(s).hasSize(2);
    assertThat(at(s.get(0), "spec", "ports", 0, "port")).isEqualTo(8001);
    assertThat(at(s.get(0), "spec", "ports", 1, "port")).isEqualTo(8002);
    assertThat(at(s.get(1), "spec", "clusterIP")).isEqualTo("None");
    assertThat(at(s.get(1), "spec", "ports", 0, "port")).isEqualTo(8001);
    Object labels =
        at(yaml("kubernetes/deployment.yaml").get(0), "spec", "template", "metadata", "labels");
    assertThat(at(s.get(0), "spec", "selector")).isEqualTo(labels);
    assertThat(at(s.get(1), "spec", "selector")).isEqualTo(labels);
  }

  @Test
  void shouldScaleOnPendingRequestMetricServedByAdapter() throws Exception {
    Map<String, Object> hpa = yaml("kubernetes/hpa.yaml").get(0);
    assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
    assertThat(at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("tensorgate");
    assertThat(at(hpa, "spec", "metrics", 0, "pods", "metric", "name"))
        .isEqualTo("tensorgate_pending_requests");
    String adapter =
        (String) at(yaml("kubernetes/prometheus-adapter-rules.yaml").get(0), "data", "config.yaml");
    Map<String, Object> rules = new Yaml().load(adapter);
    assertThat(at(rules, "rules", 0, "name", "as")).isEqualTo("tensorgate_pending_requests");
    assertThat((String) at(rules, "rules", 0, "seriesQuery"))
        .startsWith("nv_inference_pending_request_count");
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldRunTensorgateForGrpcV2InKServeServingRuntime() throws Exception {
    List<Map<String, Object>> docs = yaml("kubernetes/kserve-servingruntime.yaml");
    Map<String, Object> rt = docs.get(0);
    assertThat(rt.get("apiVersion")).isEqualTo("serving.kserve.io/v1alpha1");
    assertThat(rt.get("kind")).isEqualTo("ServingRuntime");
    assertThat((List<Object>) at(rt, "spec", "protocolVersions")).containsExactly("grpc-v2");
    assertThat(at(rt, "spec", "supportedModelFormats", 0, "name")).isEqualTo("onnx");
    Object c = at(rt, "spec", "containers", 0);
    assertThat(at(c, "name")).isEqualTo("kserve-container");
    assertThat((List<Object>) at(c, "args")).contains("--model-repository=/mnt/models");
    assertThat(at(c, "ports", 0, "name")).isEqualTo("h2c");
    assertThat(at(c, "ports", 0, "containerPort")).isEqualTo(8001);
    Map<String, Object> isvc = docs.get(1);
    assertThat(at(isvc, "spec", "predictor", "model", "runtime"))
        .isEqualTo(at(rt, "metadata", "name"));
    assertThat(at(isvc, "spec", "predictor", "model", "protocolVersion")).isEqualTo("grpc-v2");
  }

  @Test
  void shouldPassPromtoolCheckRules() throws Exception {
    Scrape.Promtool r =
        Scrape.promtool(
            null, "check", "rules", DEPLOY.resolve("prometheus/tensorgate-alerts.yaml").toString());

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void shouldHaveOverviewOnCallAndDebugRowsInDashboard() throws Exception {
    JsonNode d =
        new ObjectMapper().readTree(DEPLOY.resolve("grafana/tensorgate-dashboard.json").toFile());
    List<String> rows = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode p : d.get("panels")) {
      (p.get("type").asText().equals("row") ? rows : titles).add(p.get("title").asText());
      if (!p.get("type").asText().equals("row")) {
        assertThat(p.get("targets")).isNotEmpty();
      }
    }
    assertThat(rows).containsExactly("Overview", "On-call", "Debug");
    assertThat(String.join("|", titles).toLowerCase())
        .contains(
            "requests per second",
            "errors",
            "p99",
            "queue",
            "batch size",
            "canary",
            "divergence",
            "drift");
  }

  /** Every metric a query names exists in a real scrape, or is one the routing feature binds. */
  @Test
  void shouldQueryOnlyMetricsTheServerExports() throws Exception {
    new TestRepository(repo).withSampleModel("simple");
    Path config = repo.resolve("simple/config.pbtxt");
    Files.writeString(
        config,
        Files.readString(config)
            + "\nparameters { key: \"drift_sample_rate\" value: { string_value: \"1\" } }"
            + "\nparameters { key: \"drift_reference_requests\" value: { string_value: \"1\" } }"
            + "\nparameters { key: \"drift_window_size\" value: { string_value: \"1\" } }"
            + "\nparameters { key: \"drift_min_window_requests\" value: { string_value: \"1\" } }\n");
    Set<String> exported = new TreeSet<>();
    try (RunningServer s =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .observability(new ObservabilityOptions().payloadLogDir(repo.resolve("logs"))))) {
      s.blocking().modelInfer(Requests.simple(1));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  MonitoringServiceGrpc.newBlockingStub(s.channel)
                          .getDrift(GetDriftRequest.getDefaultInstance())
                          .getModels(0)
                          .getState()
                      == ModelDrift.State.MONITORING);
      Scrape.of(s.server.metricsPort()).samples.forEach(x -> exported.add(x.name()));
    }
    String rules = Files.readString(DEPLOY.resolve("prometheus/tensorgate-alerts.yaml"));
    Set<String> recorded = new TreeSet<>();
    Matcher rec = Pattern.compile("record: (\\S+)").matcher(rules);
    while (rec.find()) {
      recorded.add(rec.group(1));
    }
    Set<String> used = new TreeSet<>();
    for (String text :
        List.of(rules, Files.readString(DEPLOY.resolve("grafana/tensorgate-dashboard.json")))) {
      Matcher m = METRIC.matcher(text);
      while (m.find()) {
        used.add(m.group(1));
      }
    }

    assertThat(used).isNotEmpty();
    for (String name : used) {
      if (name.startsWith("jvm_gc_pause_seconds")) {
        continue; // Micrometer creates the GC pause timer at the first collection it sees.
      }
      assertThat(
              exported.contains(name) || recorded.contains(name) || ROUTING_METRICS.contains(name))
          .as("%s is neither exported, recorded nor a routing metric", name)
          .isTrue();
    }
  }
}
