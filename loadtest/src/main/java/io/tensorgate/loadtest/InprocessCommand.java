package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inprocess}: the compute ceiling, an ONNX model run with ONNX Runtime and no server. */
@Command(
    name = "inprocess",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an ONNX model directly with ONNX Runtime, one session per thread, at each batch size"
          + " for --duration, and reports inferences/s (batches/s x batch size) and latency per"
          + " batch.",
      "The leading dimension of every input must be dynamic; it is the batch."
    })
final class InprocessCommand implements Callable<Integer> {

  private static final String ROW = "%10s %8s %12s %14s %9s %9s %9s %9s%n";

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--model-file"},
      required = true,
      description = "the .onnx file")
  Path modelFile;

  @Option(
      names = "--batch-sizes",
      split = ",",
      defaultValue = "1,2,4,8,16,32,64",
      description = "batch sizes to run (default ${DEFAULT-VALUE})")
  List<Integer> batchSizes;

  @Option(
      names = {"-d", "--duration"},
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "measurement per batch size (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "unrecorded runs before each measurement (default ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "threads, each with its own session (default ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--intra-op-threads",
      defaultValue = "1",
      description = "ONNX Runtime intra-op threads per session (default ${DEFAULT-VALUE})")
  int intraOpThreads;

  @Option(
      names = "--shape",
      description = "NAME:d1,d2,... shape of a variable-size input, without the batch dimension")
  List<String> shapes = new ArrayList<>();

  @Option(names = "--json", description = "write the results as JSON")
  Path json;

  @Option(names = "--csv", description = "write one CSV row per batch size")
  Path csv;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<OnnxBenchmark.Result> results = new ArrayList<>();
    try (OnnxBenchmark benchmark =
        new OnnxBenchmark(modelFile, threads, intraOpThreads, PayloadFactory.parseShapes(shapes))) {
      out.printf(
          Locale.ROOT,
          ROW,
          "batch",
          "threads",
          "batches/s",
          "inferences/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms");
      for (int batchSize : batchSizes) {
        OnnxBenchmark.Result result =
            benchmark.run(batchSize, warmup.toNanos(), duration.toNanos());
        results.add(result);
        out.printf(
            Locale.ROOT,
            ROW,
            batchSize,
            threads,
            String.format(Locale.ROOT, "%.1f", result.batchesPerSecond()),
            String.format(Locale.ROOT, "%.1f", result.inferencesPerSecond()),
            ms(result.percentileNanos(50)),
            ms(result.percentileNanos(90)),
            ms(result.percentileNanos(99)),
            ms(result.batches() == 0 ? 0 : result.latencies().getMaxValue()));
        out.flush();
      }
    }
    if (json != null) {
      writeJson(results);
    }
    if (csv != null) {
      writeCsv(results);
    }
    return 0;
  }

  private void writeJson(List<OnnxBenchmark.Result> results) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("modelFile", modelFile.toString());
    root.put("threads", threads);
    root.put("intraOpThreads", intraOpThreads);
    root.put("durationNanos", duration.toNanos());
    ArrayNode rows = root.putArray("results");
    for (OnnxBenchmark.Result r : results) {
      ObjectNode row = rows.addObject();
      row.put("batchSize", r.batchSize());
      row.put("batches", r.batches());
      row.put("batchesPerSecond", r.batchesPerSecond());
      row.put("inferencesPerSecond", r.inferencesPerSecond());
      ObjectNode latency = row.putObject("latencyNanos");
      latency.put("p50", r.percentileNanos(50));
      latency.put("p90", r.percentileNanos(90));
      latency.put("p99", r.percentileNanos(99));
      latency.put("p99.9", r.percentileNanos(99.9));
      latency.put("max", r.batches() == 0 ? 0 : r.latencies().getMaxValue());
    }
    mapper.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
  }

  private void writeCsv(List<OnnxBenchmark.Result> results) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Batch Size,Threads,Inferences/Second,Batches/Second,p50 latency,p90 latency,p99 latency");
    for (OnnxBenchmark.Result r : results) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%d,%d,%.1f,%.1f,%d,%d,%d",
              r.batchSize(),
              r.threads(),
              r.inferencesPerSecond(),
              r.batchesPerSecond(),
              r.percentileNanos(50) / 1000,
              r.percentileNanos(90) / 1000,
              r.percentileNanos(99) / 1000));
    }
    Files.write(csv, lines);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}
