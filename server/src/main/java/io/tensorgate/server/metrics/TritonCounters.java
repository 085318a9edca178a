package io.tensorgate.server.metrics;

import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.stats.ModelStats;
import io.tensorgate.server.stats.ModelStats.FailureReason;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Writes Triton's {@code nv_inference_*} counters in the Prometheus text format 0.0.4 as Triton
 * does: {@code # TYPE ... counter}, Triton's sample names (no {@code _total}, which its dashboards
 * query by) and integer values, read from each version's {@link ModelStats} at scrape time. The
 * Prometheus client behind Micrometer appends {@code _total} to every counter, so these families
 * are written here and appended to its scrape.
 *
 * <p>Thread-safe: each call reads the bound versions afresh.
 */
final class TritonCounters {
  private static final String LATENCY_HELP_SUFFIX = " in microseconds";

  private final TritonVersions versions;
  private final boolean counterLatencies;

  /**
   * @param counterLatencies whether to write the cumulative {@code *_duration_us} counters
   *     (Triton's {@code --metrics-config counter_latencies})
   */
  TritonCounters(TritonVersions versions, boolean counterLatencies) {
    this.versions = Objects.requireNonNull(versions, "versions");
    this.counterLatencies = counterLatencies;
  }

  /** The families' text; empty while no version is served. */
  String text() {
    List<LoadedVersion> bound = versions.sorted();
    if (bound.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(1024 + 512 * bound.size());
    counter(
        out,
        bound,
        "nv_inference_request_success",
        "Number of successful inference requests, all batch sizes",
        s -> s.success().count());
    failures(out, bound);
    counter(
        out,
        bound,
        "nv_inference_count",
        "Number of inferences performed (does not include cached requests)",
        ModelStats::inferenceCount);
    counter(
        out,
        bound,
        "nv_inference_exec_count",
        "Number of model executions performed (does not include cached requests)",
        ModelStats::executionCount);
    if (counterLatencies) {
      // Whole microseconds, as Triton reports them.
      counter(
          out,
          bound,
          "nv_inference_request_duration_us",
          "Cumulative inference request duration" + LATENCY_HELP_SUFFIX,
          s -> s.success().nanos() / 1000);
      counter(
          out,
          bound,
          "nv_inference_queue_duration_us",
          "Cumulative inference queuing duration" + LATENCY_HELP_SUFFIX,
          s -> s.queue().nanos() / 1000);
      counter(
          out,
          bound,
          "nv_inference_compute_input_duration_us",
          "Cumulative compute input duration" + LATENCY_HELP_SUFFIX,
          s -> s.computeInput().nanos() / 1000);
      counter(
          out,
          bound,
          "nv_inference_compute_infer_duration_us",
          "Cumulative compute inference duration" + LATENCY_HELP_SUFFIX,
          s -> s.computeInfer().nanos() / 1000);
      counter(
          out,
          bound,
          "nv_inference_compute_output_duration_us",
          "Cumulative inference compute output duration" + LATENCY_HELP_SUFFIX,
          s -> s.computeOutput().nanos() / 1000);
    }
    return out.toString();
  }

  private static void counter(
      StringBuilder out,
      List<LoadedVersion> bound,
      String name,
      String help,
      ToLongFunction<ModelStats> value) {
    header(out, name, help);
    for (LoadedVersion v : bound) {
      sample(out, name, v, null, value.applyAsLong(v.stats()));
    }
  }

  private static void failures(StringBuilder out, List<LoadedVersion> bound) {
    String name = "nv_inference_request_failure";
    header(out, name, "Number of failed inference requests, all batch sizes");
    for (LoadedVersion v : bound) {
      for (FailureReason r : FailureReason.values()) {
        sample(out, name, v, r.name(), v.stats().failureCount(r));
      }
    }
  }

  private static void header(StringBuilder out, String name, String help) {
    out.append("# HELP ").append(name).append(' ');
    escape(out, help, false);
    out.append("\n# TYPE ").append(name).append(" counter\n");
  }

  /** One sample with Triton's labels in name order: model, [reason,] version. */
  private static void sample(
      StringBuilder out, String name, LoadedVersion v, String reason, long value) {
    out.append(name).append("{model=\"");
    escape(out, v.name(), true);
    if (reason != null) {
      out.append("\",reason=\"").append(reason);
    }
    out.append("\",version=\"").append(v.versionString()).append("\"} ").append(value).append('\n');
  }

  /** The text format's escapes: backslash and newline, and in label values the double quote. */
  private static void escape(StringBuilder out, String s, boolean labelValue) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '"' && labelValue) {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
  }
}
