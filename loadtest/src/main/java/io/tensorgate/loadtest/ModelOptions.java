package io.tensorgate.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Tensorgate's additions to ghz's command line (long names only, none clashes with ghz): requests
 * generated from ModelMetadata (as perf_analyzer does), batch size, shared memory, server-side
 * statistics, perf_analyzer's CSV, sweeps of load levels, a warm-up, and the h2load request file.
 */
final class ModelOptions {

  @Option(
      names = "--model",
      description = "generate ModelInfer requests for this model from its metadata (without -d/-D)")
  String model;

  @Option(names = "--model-version", defaultValue = "", description = "model version")
  String modelVersion;

  @Option(
      names = "--batch-size",
      defaultValue = "1",
      description = "batch dimension prepended when the model batches (default ${DEFAULT-VALUE})")
  int batchSize;

  @Option(
      names = "--shape",
      description = "NAME:d1,d2,... shape of a variable-size input, without the batch dimension")
  List<String> shapes = new ArrayList<>();

  @Option(
      names = "--input-data",
      defaultValue = "random",
      description = "random, zero, or a perf_analyzer JSON file (default ${DEFAULT-VALUE})")
  String inputData;

  @Option(
      names = "--contents",
      defaultValue = "RAW",
      description = "raw (raw_input_contents) or typed (contents) (default ${DEFAULT-VALUE})")
  NetworkRequests.Contents contents;

  @Option(
      names = "--shared-memory",
      defaultValue = "none",
      description = "none or system: tensors in POSIX shared memory (default ${DEFAULT-VALUE})")
  String sharedMemory;

  @Option(names = "--shared-memory-dir", defaultValue = "/dev/shm", hidden = true)
  Path sharedMemoryDir;

  @Option(
      names = "--output-shared-memory-size",
      defaultValue = "102400",
      description = "bytes per output region of variable shape (default ${DEFAULT-VALUE})")
  long outputSharedMemorySize;

  @Option(
      names = "--server-stats",
      description = "read ModelStatistics before and after and report the server's own times")
  boolean serverStats;

  @Option(
      names = "--perf-csv",
      paramLabel = "FILE",
      description = "also write perf_analyzer's CSV, one row per level")
  Path perfCsv;

  @Option(
      names = "--concurrency-range",
      paramLabel = "start:end:step",
      description = "sweep: one run per concurrency")
  String concurrencyRange;

  @Option(
      names = "--rps-range",
      paramLabel = "start:end:step",
      description = "sweep: one run per request rate")
  String rpsRange;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "load before each run that is not reported")
  Duration warmup;

  @Option(
      names = "--max-outstanding",
      defaultValue = "10000",
      description = "--async: calls in flight beyond which calls count as client saturated")
  int maxOutstanding;

  @Option(names = "--details", description = "write per-call details into the JSON report")
  boolean details;

  @Option(
      names = "--check-outputs",
      description = "parse ModelInfer responses and fail those lacking a requested output")
  boolean checkOutputs;

  @Option(
      names = "--dump-request",
      paramLabel = "FILE",
      description = "write the first call's gRPC-framed body (h2load's -d file) and exit")
  Path dumpRequest;

  @Option(names = "--seed", defaultValue = "1", hidden = true)
  long seed;
}
