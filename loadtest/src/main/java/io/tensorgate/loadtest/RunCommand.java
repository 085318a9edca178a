package io.tensorgate.loadtest;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: the load generator. Options follow perf_analyzer's and ghz's names. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Sends ModelInfer (or ModelStreamInfer) load to a Triton-protocol server and reports"
          + " latency percentiles and throughput per load level.",
      "Closed loop: --concurrency / --concurrency-range. Open loop: --rate / --rate-range."
    })
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "127.0.0.1:8001",
      description = "host:port (default ${DEFAULT-VALUE})")
  String url;

  @Option(
      names = {"-m", "--model"},
      required = true,
      description = "model name")
  String model;

  @Option(
      names = {"-x", "--model-version"},
      defaultValue = "",
      description = "model version (default: the server's)")
  String modelVersion;

  @Option(
      names = "--connections",
      defaultValue = "1",
      description = "channels (HTTP/2 connections), used round-robin (default ${DEFAULT-VALUE})")
  int connections;

  @Option(
      names = {"-d", "--duration"},
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "measurement window per level (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "load before each window that is not recorded (default ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "per-request gRPC deadline, unary only (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = {"-b", "--batch-size"},
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
      description =
          "random (generated once), zero, or a perf_analyzer-format JSON file cycled through"
              + " (default ${DEFAULT-VALUE})")
  String inputData;

  @Option(
      names = "--contents",
      defaultValue = "RAW",
      description =
          "raw (raw_input_contents, like tritonclient) or typed (contents) (default ${DEFAULT-VALUE})")
  NetworkRequests.Contents contents;

  @Option(
      names = "--shared-memory",
      defaultValue = "none",
      description =
          "none or system (POSIX shared memory under --shared-memory-dir) (default ${DEFAULT-VALUE})")
  String sharedMemory;

  @Option(names = "--shared-memory-dir", defaultValue = "/dev/shm", hidden = true)
  Path sharedMemoryDir;

  @Option(
      names = "--output-shared-memory-size",
      defaultValue = "102400",
      description =
          "bytes per output region when the output shape is variable (default ${DEFAULT-VALUE})")
  long outputSharedMemorySize;

  @Option(names = "--stream", description = "use ModelStreamInfer, one stream per connection")
  boolean stream;

  @ArgGroup(exclusive = true)
  LoadMode loadMode = new LoadMode();

  static final class LoadMode {
    @Option(names = "--concurrency", description = "outstanding requests, closed loop (default 1)")
    Integer concurrency;

    @Option(names = "--concurrency-range", description = "start:end:step sweep of concurrencies")
    String concurrencyRange;

    @Option(names = "--rate", description = "requests per second, open loop")
    Double rate;

    @Option(names = "--rate-range", description = "start:end:step sweep of rates")
    String rateRange;
  }

  @Option(
      names = "--max-outstanding",
      defaultValue = "10000",
      description =
          "open loop: most requests in flight; beyond, requests count as 'client saturated' errors (default ${DEFAULT-VALUE})")
  int maxOutstanding;

  @Option(
      names = "--server-stats",
      description =
          "read ModelStatistics at each window's start and end and report server-side averages")
  boolean serverStats;

  @Option(
      names = "--json",
      description = "write ghz-shaped JSON: one object, or an array for a sweep")
  Path json;

  @Option(names = "--csv", description = "write perf_analyzer-style CSV, one row per level")
  Path csv;

  @Option(names = "--seed", defaultValue = "1", hidden = true)
  long seed;

  @Override
  public Integer call() throws Exception {
    boolean open = loadMode.rate != null || loadMode.rateRange != null;
    List<Double> levels = levels();
    if (!sharedMemory.equals("none") && !sharedMemory.equals("system")) {
      throw new IllegalArgumentException("--shared-memory must be none or system");
    }
    List<LevelResult> results;
    try (Channels channels = new Channels(url, connections)) {
      // A fresh stub per call: a stub's deadline is fixed when the stub is made.
      Supplier<GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> stub =
          () ->
              GRPCInferenceServiceGrpc.newBlockingStub(channels.first())
                  .withDeadlineAfter(30, TimeUnit.SECONDS);
      ModelSignature signature = ModelSignature.discover(stub.get(), model, modelVersion);
      PayloadFactory factory =
          new PayloadFactory(signature, batchSize, PayloadFactory.parseShapes(shapes));
      List<Payload> payloads =
          switch (inputData) {
            case "random" -> factory.random(seed);
            case "zero" -> factory.zero();
            default -> factory.fromData(InputDataFile.read(Path.of(inputData)));
          };
      // Closed loop: one slot per lane of the largest level; open loop: the outstanding cap.
      int slots = open ? maxOutstanding : (int) Math.round(levels.get(levels.size() - 1));
      try (AutoCloseableSource source = source(signature, payloads, slots, channels);
          InferTransport transport =
              stream
                  ? new StreamTransport(channels.all())
                  : new UnaryTransport(channels.all(), timeout)) {
        results = measure(open, levels, transport, source.requests(), slots, stub);
      }
    }
    writeReports(results);
    return 0;
  }

  /** Runs every level in turn, printing each row as it finishes. */
  private List<LevelResult> measure(
      boolean open,
      List<Double> levels,
      InferTransport transport,
      RequestSource requests,
      int slots,
      Supplier<GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> stub)
      throws Exception {
    ConsoleTable table = new ConsoleTable(spec.commandLine().getOut());
    String mode = open ? LevelResult.RATE : LevelResult.CONCURRENCY;
    table.header(mode);
    ClosedLoopDriver closed = new ClosedLoopDriver(transport, requests);
    OpenLoopDriver openLoop = new OpenLoopDriver(transport, requests, new SlotPool(slots));
    Duration drain = timeout.plusSeconds(10);
    List<LevelResult> results = new ArrayList<>();
    // Reads ModelStatistics exactly at each window's edges while the load runs.
    ScheduledExecutorService statsTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "server-stats");
              thread.setDaemon(true);
              return thread;
            });
    try {
      for (double level : levels) {
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        LevelRecorder recorder = new LevelRecorder(windowStart, windowStart + duration.toNanos());
        Callable<ServerStats.Snapshot> read =
            () -> ServerStats.read(stub.get(), model, modelVersion);
        Future<ServerStats.Snapshot> before = null;
        Future<ServerStats.Snapshot> after = null;
        if (serverStats) {
          before = statsTimer.schedule(read, windowStart - start, TimeUnit.NANOSECONDS);
          after = statsTimer.schedule(read, recorder.windowEnd() - start, TimeUnit.NANOSECONDS);
        }
        if (open) {
          openLoop.run(level, start, recorder, drain);
        } else {
          closed.run((int) Math.round(level), recorder, drain);
        }
        ServerStats stats = before == null ? null : ServerStats.between(before.get(), after.get());
        LevelResult result = recorder.finish(mode, level, batchSize, stats);
        table.row(result);
        results.add(result);
      }
    } finally {
      statsTimer.shutdownNow();
    }
    if (serverStats) {
      table.serverRows(results);
    }
    return results;
  }

  private List<Double> levels() {
    if (loadMode.rate != null) {
      return List.of(loadMode.rate);
    }
    if (loadMode.rateRange != null) {
      return Ranges.doubles(loadMode.rateRange);
    }
    if (loadMode.concurrencyRange != null) {
      return Ranges.integers(loadMode.concurrencyRange).stream().map(Integer::doubleValue).toList();
    }
    int concurrency = loadMode.concurrency == null ? 1 : loadMode.concurrency;
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be >= 1");
    }
    return List.of((double) concurrency);
  }

  /** The request source and what must be undone when the run ends. */
  private interface AutoCloseableSource extends AutoCloseable {
    RequestSource requests();
  }

  private AutoCloseableSource source(
      ModelSignature signature, List<Payload> payloads, int slots, Channels channels)
      throws Exception {
    if (!sharedMemory.equals("system")) {
      NetworkRequests requests = new NetworkRequests(model, modelVersion, payloads, contents);
      return new AutoCloseableSource() {
        @Override
        public RequestSource requests() {
          return requests;
        }

        @Override
        public void close() {}
      };
    }
    long[] outputSizes = new long[signature.outputs().size()];
    for (int i = 0; i < outputSizes.length; i++) {
      TensorSpec output = signature.outputs().get(i);
      WireType type = output.wireType();
      outputSizes[i] =
          type.isFixedSize() && Shapes.isFullyKnown(output.shape())
              ? Shapes.elementCount(output.shape()) * type.elementSize() * batchSize
              : outputSharedMemorySize;
    }
    SharedMemoryRequests requests =
        new SharedMemoryRequests(
            GRPCInferenceServiceGrpc.newBlockingStub(channels.first()),
            sharedMemoryDir,
            model,
            modelVersion,
            payloads,
            signature.outputs(),
            outputSizes,
            slots);
    return new AutoCloseableSource() {
      @Override
      public RequestSource requests() {
        return requests;
      }

      @Override
      public void close() throws Exception {
        requests.close();
      }
    };
  }

  private void writeReports(List<LevelResult> results) throws Exception {
    if (json != null) {
      GhzReport.Options options =
          new GhzReport.Options(
              url,
              stream
                  ? "inference.GRPCInferenceService.ModelStreamInfer"
                  : "inference.GRPCInferenceService.ModelInfer",
              connections,
              duration.toNanos(),
              timeout.toNanos(),
              model,
              modelVersion,
              stream,
              sharedMemory);
      new GhzReport(options).write(json, results);
    }
    if (csv != null) {
      CsvReport.write(csv, results);
    }
  }
}
