package io.tensorgate.server.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tensorgate.server.GovernanceOptions;
import io.tensorgate.server.Requests;
import io.tensorgate.server.RunningServer;
import io.tensorgate.server.TensorgateServer;
import io.tensorgate.server.TestRepository;
import io.tensorgate.server.metrics.Scrape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cost counters against the fault backend, a model of known cost: it spins until its thread used a
 * set CPU time per inference and reports a set device time, so the counters have an exact answer
 * (thread CPU time does not depend on how busy the machine is).
 */
class CostAccountingEndToEndTest {
  private static final int REQUESTS = 20;

  @TempDir Path repo;

  private RunningServer start(String params, GovernanceOptions governance) throws Exception {
    new TestRepository(repo).withFaultModel("m", params);
    return RunningServer.start(
        TensorgateServer.builder().modelRepository(repo).governance(governance));
  }

  private static String parameters(long cpuMicros, long deviceMicros) {
    return "parameters { key: \"cpu_us_per_inference\" value: { string_value: \""
        + cpuMicros
        + "\" } }\nparameters { key: \"device_us_per_inference\" value: { string_value: \""
        + deviceMicros
        + "\" } }\n";
  }

  private static void infer(RunningServer s, int n) {
    for (int i = 0; i < n; i++) {
      s.blocking().modelInfer(Requests.gate("m", i));
    }
  }

  @Test
  void shouldCountTheCpuTimeOfEveryExecution() throws Exception {
    try (RunningServer s = start(parameters(2000, 0), new GovernanceOptions())) {
      infer(s, REQUESTS);

      double cpu =
          Scrape.of(s.server.metricsPort())
              .value("tensorgate_inference_cpu_seconds_total", "model", "m", "version", "1");
      // 20 executions of 2 ms each, plus what the backend does around its spin (copies).
      assertThat(cpu).isBetween(0.040, 0.050);
    }
  }

  @Test
  void shouldCountTheDeviceTimeTheBackendReports() throws Exception {
    try (RunningServer s = start(parameters(0, 500), new GovernanceOptions())) {
      infer(s, REQUESTS);

      assertThat(
              Scrape.of(s.server.metricsPort())
                  .value("tensorgate_inference_gpu_seconds_total", "model", "m", "version", "1"))
          .isCloseTo(0.010, within(1e-9));
    }
  }

  @Test
  void shouldMeasureNoCpuTimeWhenCostAccountingIsOff() throws Exception {
    try (RunningServer s =
        start(parameters(2000, 500), new GovernanceOptions().costAccounting(false))) {
      infer(s, REQUESTS);
      Scrape scrape = Scrape.of(s.server.metricsPort());

      assertThat(scrape.value("tensorgate_inference_cpu_seconds_total", "model", "m")).isZero();
      assertThat(scrape.value("tensorgate_inference_gpu_seconds_total", "model", "m"))
          .isCloseTo(0.010, within(1e-9));
    }
  }

  @Test
  void shouldPriceAThousandInferencesAtTheGivenPrices() throws Exception {
    // 2 ms CPU at 3.6 a core-hour: 0.002 per 1000; 1 ms GPU at 36 a GPU-hour: 0.01 per 1000.
    GovernanceOptions prices = new GovernanceOptions().costPerCoreHour(3.6).costPerGpuHour(36);
    try (RunningServer s = start(parameters(2000, 1000), prices)) {
      infer(s, REQUESTS);

      assertThat(
              Scrape.of(s.server.metricsPort())
                  .value("tensorgate_cost_per_1k_inferences", "model", "m", "version", "1"))
          .isBetween(0.012, 0.0125);
    }
  }

  @Test
  void shouldExportNoCostGaugeWithoutPrices() throws Exception {
    try (RunningServer s = start(parameters(0, 0), new GovernanceOptions())) {
      infer(s, 1);

      assertThat(Scrape.of(s.server.metricsPort()).find("tensorgate_cost_per_1k_inferences"))
          .isEmpty();
    }
  }
}
