package io.tensorgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tensorgate.server.ObservabilityOptions;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import io.tensorgate.server.testing.ScriptedBackend;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** Scrape labels Prometheus adds itself (target labels), never in the exposition. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
  private static final Pattern SELECTOR =
      Pattern.compile("\\b((?:nv|tensorgate|jvm|process)_[a-z0-9_]+)\\{([^}]*)\\}");
  private static final Pattern MATCHER = Pattern.compile("(\\w+)(=~|!~|!=|=)\"([^\"]*)\"");

  /** The PromQL expressions of the alert and recording rules and of the dashboard's panels. */
  @SuppressWarnings("unchecked")
  private static List<String> queries() throws Exception {
    List<String> out = new ArrayList<>();
    for (Object g : (List<Object>) at(yaml("prometheus/tensorgate-alerts.yaml").get(0), "groups")) {
      for (Object rule : (List<Object>) at(g, "rules")) {
        out.add((String) at(rule, "expr"));
      }
    }
    new ObjectMapper()
        .readTree(DEPLOY.resolve("grafana/tensorgate-dashboard.json").toFile())
        .findValues("expr")
        .forEach(e -> out.add(e.asText()));
    return out;
  }

  /**
   * A fresh server, no request sent yet, with a canary, a shadow, drift (from a reference file) and
   * payload logging configured: every series a dashboard panel or a rule reads must be there,
   * possibly at 0, with the labels the query selects and groups by.
   */
  @Test
  void shouldReturnDataForEveryQueryWhenFreshlyStartedWithACanaryAndAShadow() throws Exception {
    ScriptedBackend.reset("fresh");
    ScriptedBackend.writeModel(
        repo,
        "fresh",
        "parameters { key: \"drift_sample_rate\" value: { string_value: \"1\" } }\n",
        1,
        2,
        3);
    Files.writeString(
        repo.resolve("fresh/drift_reference.json"),
        "{\"features\": {\"INPUT0[0]\": {\"edges\": [0, 1], \"counts\": [0, 5, 5]}}}");
    Files.writeString(
        repo.resolve("fresh/routing.pbtxt"),
        "stable_version: 1\ncanary { version: 2 weight_percent: 10 }\n"
            + "shadow { version: 3 fraction: 0.5 }\n");
    Scrape scrape;
    try (RunningServer s =
        RunningServer.start(
            TensorgateServer.builder()
                .modelRepository(repo)
                .observability(new ObservabilityOptions().payloadLogDir(repo.resolve("logs"))))) {
      scrape = Scrape.of(s.server.metricsPort());
    }
    String rules = Files.readString(DEPLOY.resolve("prometheus/tensorgate-alerts.yaml"));
    Set<String> recorded = new TreeSet<>();
    Matcher rec = Pattern.compile("record: (\\S+)").matcher(rules);
    while (rec.find()) {
      recorded.add(rec.group(1));
    }

    List<String> queries = queries();
    assertThat(queries).hasSizeGreaterThan(30);
    List<String> missing = new ArrayList<>();
    for (String q : queries) {
      Set<String> grouped = new TreeSet<>();
      Matcher by = BY.matcher(q);
      while (by.find()) {
        for (String l : by.group(1).split(",")) {
          grouped.add(l.strip());
        }
      }
      grouped.removeAll(TARGET_LABELS);
      Matcher m = METRIC.matcher(q);
      while (m.find()) {
        String name = m.group(1);
        if (recorded.contains(name) || name.startsWith("jvm_gc_pause_seconds")) {
          // Micrometer creates the GC pause timer (labelled by collector, action and cause) at
          // the first collection it is told about; a fresh JVM may not have had one.
          continue;
        }
        List<Scrape.Sample> samples = scrape.find(name);
        if (samples.isEmpty()) {
          missing.add(name + " (no series) in: " + q);
        } else if (!samples.stream().allMatch(x -> x.labels().keySet().containsAll(grouped))) {
          missing.add(name + " lacks a label of " + grouped + " in: " + q);
        }
      }
      Matcher sel = SELECTOR.matcher(q);
      while (sel.find()) {
        String name = sel.group(1);
        Matcher mm = MATCHER.matcher(sel.group(2));
        while (mm.find()) {
          String label = mm.group(1);
          String value = mm.group(3);
          boolean exact = mm.group(2).equals("=");
          if (scrape.find(name).stream()
              .noneMatch(
                  x ->
                      x.labels().containsKey(label)
                          && (!exact || value.equals(x.labels().get(label))))) {
            missing.add(name + " has no series matching " + mm.group() + " in: " + q);
          }
        }
      }
    }

    assertThat(missing).isEmpty();
    // The routing feature's series, at 0 before any request or mirror.
    assertThat(
            scrape.value(
                "tensorgate_shadow_dropped_total", "model", "fresh", "reason", "queue_full"))
        .isZero();
    assertThat(scrape.value("tensorgate_shadow_requests_total", "model", "fresh", "version", "3"))
        .isZero();
    assertThat(
            scrape.value(
                "tensorgate_divergence_comparisons_total",
                "model",
                "fresh",
                "version",
                "1",
                "shadow_version",
                "3"))
        .isZero();
    assertThat(
            scrape.find(
                "tensorgate_divergence_mismatches_total", "model", "fresh", "shadow_version", "3"))
        .extracting(x -> x.labels().get("version"))
        .containsExactlyInAnyOrder("1", "2");
    assertThat(
            scrape.value(
                "tensorgate_route_requests_total",
                "model",
                "fresh",
                "version",
                "2",
                "route",
                "default"))
        .isZero();
  }
}
