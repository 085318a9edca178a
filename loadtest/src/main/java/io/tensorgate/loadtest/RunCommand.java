package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run}: the same load as the ghz command line, with perf_analyzer-style flags ({@code -m}
 * model, {@code -d} duration, {@code --concurrency-range}, {@code --rate}) and a table per level.
 * Kept for the scripts that use it; new uses take the ghz command line.
 */
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
    // Closed loop: one slot per lane of the largest level; open loop: the outstanding cap.
    int slots = open ? maxOutstanding : (int) Math.round(levels.get(levels.size() - 1));
    List<LevelResult> results = new ArrayList<>();
    Http2Transport lean = null;
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
      try (RequestSource source = source(signature, payloads, slots, channels)) {
        CallTransport transport;
        if (stream) {
          transport = new StreamTransport(channels.all());
        } else {
          lean = Http2Transport.connect(transportOptions());
          transport = lean;
        }
        try (CallTransport closing = transport) {
          LevelRunner runner =
              new LevelRunner(
                  transport,
                  source,
                  serverStats ? () -> ServerStats.read(stub.get(), model, modelVersion) : null,
                  spec.commandLine().getOut(),
                  false);
          ConsoleTable table = new ConsoleTable(spec.commandLine().getOut());
          String mode = open ? LevelResult.RATE : LevelResult.CONCURRENCY;
          table.header(mode);
          for (double level : levels) {
            LevelResult result =
                runner.run(
                    plan(open, level), new LevelRunner.Level(mode, level, batchSize), 0, false);
            table.row(result);
            results.add(result);
          }
          if (serverStats) {
            table.serverRows(results);
          }
        }
      }
    }
    writeReports(results, lean);
    return 0;
  }

  private LoadPlan plan(boolean open, double level) {
    if (!open) {
      return LoadPlan.closed((int) Math.round(level), duration, warmup);
    }
    return new LoadPlan(
        1,
        null,
        level,
        null,
        true,
        maxOutstanding,
        Long.MAX_VALUE,
        duration,
        LoadPlan.DurationStop.WAIT,
        warmup,
        GhzRun.drainTimeout(timeout));
  }

  private Http2Transport.Options transportOptions() {
    return new Http2Transport.Options(
        Http2Transport.Target.parse(url),
        "/" + GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
        connections,
        Math.min(connections, Runtime.getRuntime().availableProcessors()),
        TransportSecurity.plaintext(),
        null,
        Map.of(),
        timeout,
        Duration.ofSeconds(10),
        Duration.ZERO,
        false,
        Integer.MAX_VALUE,
        null);
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

  private RequestSource source(
      ModelSignature signature, List<Payload> payloads, int slots, Channels channels)
      throws Exception {
    if (!sharedMemory.equals("system")) {
      List<EncodedRequest> encoded = new ArrayList<>();
      for (Message message : NetworkRequests.messages(model, modelVersion, payloads, contents)) {
        encoded.add(EncodedRequest.of(message));
      }
      return new NetworkRequests(encoded);
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
    return new SharedMemoryRequests(
        GRPCInferenceServiceGrpc.newBlockingStub(channels.first()),
        sharedMemoryDir,
        model,
        modelVersion,
        payloads,
        signature.outputs(),
        outputSizes,
        slots);
  }

  private void writeReports(List<LevelResult> results, Http2Transport lean) throws Exception {
    if (json != null) {
      new ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValue(json.toFile(), new GhzReport(reportContext(lean)).json(results));
    }
    if (csv != null) {
      CsvReport.write(csv, results);
    }
  }

  private ReportContext reportContext(Http2Transport lean) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode options = mapper.createObjectNode();
    options.put("call", stream ? RpcMethod.MODEL_STREAM_INFER : RpcMethod.MODEL_INFER);
    options.put("host", url);
    options.put("insecure", true);
    options.put("connections", connections);
    options.put("duration", duration.toNanos());
    options.put("timeout", timeout.toNanos());
    options.put("CPUs", Runtime.getRuntime().availableProcessors());
    ObjectNode extension = mapper.createObjectNode();
    ObjectNode client = extension.putObject("client");
    client.put("name", GhzReportContext.CLIENT_NAME);
    client.put(
        "description",
        stream
            ? GhzReportContext.CLIENT_NAME + " (grpc-java ModelStreamInfer streams)"
            : GhzReportContext.CLIENT_NAME
                + " (lean HTTP/2 client, "
                + (lean != null && lean.epoll() ? "epoll" : "nio")
                + ")");
    extension.put("model", model);
    extension.put("modelVersion", modelVersion);
    extension.put("stream", stream);
    extension.put("sharedMemory", sharedMemory);
    return new ReportContext("", options, Map.of(), extension, false, false);
  }
}
