package io.tensorgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** Alert rules of deploy/prometheus fire when they should, checked with promtool's rule tests. */
class AlertRulesTest {
  private static final Path RULES =
      TestRepository.PROJECT.resolve("deploy/prometheus/tensorgate-alerts.yaml");
  private static final String UNSIGNED = "TensorgateUnsignedModelLoadAttempt";
  private static final String REFUSALS = "tensorgate_model_signature_refusals_total";

  @TempDir Path dir;

  @Test
  void shouldPageOnASignatureRefusalWhenItCameBeforeTheFirstScrape() throws Exception {
    // A new server (a new instance) whose start-up load was refused: the series first shows 1.
    Scrape.Promtool r = unsignedAlertAt5m("_ _ 1 1 1 1 1", true);

    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  @Test
  void shouldPageOnASignatureRefusalWhenTheCounterGrows() throws Exception {
    Scrape.Promtool r = unsignedAlertAt5m("0 0 0 1 1 1 1", true);

    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  @Test
  void shouldStayQuietWhenANewServerRefusedNothing() throws Exception {
    Scrape.Promtool r = unsignedAlertAt5m("_ _ 0 0 0 0 0", false);

    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  /** Runs promtool's unit test of the unsigned-load alert on one series, evaluated at 5 minutes. */
  private Scrape.Promtool unsignedAlertAt5m(String values, boolean fires) throws Exception {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("eval_time", "5m");
    alert.put("alertname", UNSIGNED);
    alert.put("exp_alerts", fires ? List.of(expected()) : List.of());
    Map<String, Object> test = new LinkedHashMap<>();
    test.put("interval", "1m");
    test.put(
        "input_series",
        List.of(
            Map.of(
                "series", REFUSALS + "{instance=\"p1\",reason=\"unsigned\"}", "values", values)));
    test.put("alert_rule_test", List.of(alert));
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("rule_files", List.of(RULES.toString()));
    file.put("evaluation_interval", "1m");
    file.put("tests", List.of(test));
    Path t = dir.resolve("test.yaml");
    Files.writeString(t, new Yaml().dump(file));
    return Scrape.promtool(null, "test", "rules", t.toString());
  }

  /**
   * The alert for instance p1 and reason unsigned, with its annotations as Prometheus fills them.
   */
  private static Map<String, Object> expected() throws Exception {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations(UNSIGNED)
        .forEach(
            (k, v) ->
                annotations.put(
                    k,
                    v.replace("{{ $labels.instance }}", "p1")
                        .replace("{{ $labels.reason }}", "unsigned")));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("exp_labels", Map.of("severity", "page", "instance", "p1", "reason", "unsigned"));
    out.put("exp_annotations", annotations);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> annotations(String alert) throws Exception {
    Map<String, Object> doc;
    try (Reader r = Files.newBufferedReader(RULES)) {
      doc = new Yaml().load(r);
    }
    for (Object g : (List<Object>) doc.get("groups")) {
      for (Object rule : (List<Object>) ((Map<String, Object>) g).get("rules")) {
        Map<String, Object> r = (Map<String, Object>) rule;
        if (alert.equals(r.get("alert"))) {
          return (Map<String, String>) r.get("annotations");
        }
      }
    }
    throw new AssertionError("no alert " + alert + " in " + RULES);
  }
}
