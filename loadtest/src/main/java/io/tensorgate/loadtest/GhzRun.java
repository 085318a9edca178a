package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One invocation of the ghz command line: resolves the settings, serializes the requests, connects
 * the lean client, runs each level (one, or a sweep's) and prints the report. Ctrl-C ends the run
 * early and still prints its report (end reason "cancel"), as ghz does.
 */
final class GhzRun {

  private final GhzOptions ghz;
  private final ModelOptions options;
  private final PrintWriter out;
  private final boolean terminal;
  private final InputStream stdin;

  GhzRun(
      GhzOptions ghz, ModelOptions options, PrintWriter out, boolean terminal, InputStream stdin) {
    this.ghz = Objects.requireNonNull(ghz, "ghz");
    this.options = Objects.requireNonNull(options, "options");
    this.out = Objects.requireNonNull(out, "out");
    this.terminal = terminal;
    this.stdin = Objects.requireNonNull(stdin, "stdin");
  }

  int run() throws Exception {
    String unsupported = ghz.unsupported();
    if (unsupported != null) {
      throw new IllegalArgumentException(unsupported);
    }
    if (ghz.host == null || ghz.host.isBlank()) {
      throw new IllegalArgumentException(
          "host required: give host:port last, or \"host\" in --config");
    }
    RpcMethod method = RpcMethod.find(ghz.call);
    List<GhzLevels.Level> levels = GhzLevels.of(ghz, options);
    Map<String, String> metadata = metadata();
    TransportSecurity security =
        new TransportSecurity(ghz.insecure, ghz.cacert, ghz.cert, ghz.key, ghz.cname, ghz.skipTls);
    Http2Transport.Target target = Http2Transport.Target.parse(ghz.host);
    try (Channels control = new Channels(target, 1, security, ghz.authority, metadata)) {
      CallRequests call =
          CallRequests.build(method, ghz, options, control, GhzLevels.slots(levels), stdin);
      try (RequestSource requests = call.source()) {
        EncodedRequest first = requests.request(0, 0);
        checkSendSize(first);
        if (options.dumpRequest != null) {
          Files.write(options.dumpRequest, first.bytes());
          out.printf(
              "wrote %d bytes (gRPC-framed %s) to %s%n",
              first.size(), method.ghzName(), options.dumpRequest);
          out.flush();
          return 0;
        }
        int threads =
            Math.min(
                ghz.connections,
                ghz.cpus > 0 ? ghz.cpus : Runtime.getRuntime().availableProcessors());
        try (Http2Transport transport =
            Http2Transport.connect(
                transportOptions(method, call, target, security, metadata, threads))) {
          LevelRunner runner =
              new LevelRunner(transport, requests, serverStats(call, control), out, terminal);
          // Ctrl-C ends the run early; the JVM waits (10 s at most) until its report is out.
          CountDownLatch reported = new CountDownLatch(1);
          Thread onInterrupt = new Thread(() -> cancelAndWait(runner, reported), "loadtest-cancel");
          Runtime.getRuntime().addShutdownHook(onInterrupt);
          try {
            List<LevelResult> results = runLevels(levels, runner, call);
            ReportContext context =
                GhzReportContext.of(ghz, options, method, call, transport, threads, levels);
            ReportWriter.write(context, results, ghz.format, ghz.output, out, options.perfCsv);
          } finally {
            reported.countDown();
            try {
              Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
              // Ctrl-C: the hook is running and has just been released.
            }
          }
        }
      }
    }
    return 0;
  }

  private static void cancelAndWait(LevelRunner runner, CountDownLatch reported) {
    runner.cancel();
    try {
      reported.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<LevelResult> runLevels(
      List<GhzLevels.Level> levels, LevelRunner runner, CallRequests call) throws Exception {
    List<LevelResult> results = new ArrayList<>();
    boolean keepDetails = ghz.format.equals("csv") || options.details;
    for (GhzLevels.Level level : levels) {
      results.add(
          runner.run(
              level.plan(),
              new LevelRunner.Level(level.mode(), level.value(), call.batchSize()),
              ghz.skipFirst,
              keepDetails));
      if (runner.cancelled()) {
        break;
      }
    }
    return results;
  }

  private Callable<ServerStats.Snapshot> serverStats(CallRequests call, Channels control) {
    if (!options.serverStats) {
      return null;
    }
    if (call.model() == null || call.model().isEmpty()) {
      throw new IllegalArgumentException("--server-stats needs --model or ModelInfer call data");
    }
    return () ->
        ServerStats.read(
            GRPCInferenceServiceGrpc.newBlockingStub(control.first())
                .withDeadlineAfter(30, TimeUnit.SECONDS),
            call.model(),
            call.modelVersion());
  }

  private Http2Transport.Options transportOptions(
      RpcMethod method,
      CallRequests call,
      Http2Transport.Target target,
      TransportSecurity security,
      Map<String, String> metadata,
      int threads) {
    ResponseCheck check = null;
    if (options.checkOutputs) {
      if (!method.isModelInfer()) {
        throw new IllegalArgumentException("--check-outputs needs ModelInfer or ModelStreamInfer");
      }
      check = new OutputCheck(method.clientStreaming(), call.requestedOutputs());
    }
    long maxResponse =
        ghz.maxRecvMessageSize == null
            ? Integer.MAX_VALUE
            : ByteSizes.parse(ghz.maxRecvMessageSize);
    return new Http2Transport.Options(
        target,
        method.path(),
        ghz.connections,
        threads,
        security,
        ghz.authority,
        metadata,
        ghz.timeout,
        ghz.connectTimeout,
        ghz.keepalive,
        ghz.enableCompression,
        maxResponse,
        check);
  }

  private void checkSendSize(EncodedRequest request) {
    if (ghz.maxSendMessageSize != null) {
      long max = ByteSizes.parse(ghz.maxSendMessageSize);
      if (request.size() - 5L * request.messages().size() > max) {
        throw new IllegalArgumentException(
            "the request is larger than --max-send-message-size " + max + " bytes");
      }
    }
  }

  private Map<String, String> metadata() throws java.io.IOException {
    if (ghz.metadataFile != null) {
      return RequestMetadata.parse(
          CallData.readFile(ghz.metadataFile, "--metadata-file"), ghz.disableTemplateData);
    }
    if (ghz.metadata != null && !ghz.metadata.isBlank()) {
      return RequestMetadata.parse(ghz.metadata, ghz.disableTemplateData);
    }
    return Map.of();
  }

  /** ghz's {@code --tags}: a JSON object of strings. */
  static Map<String, String> tags(String json) throws java.io.IOException {
    Map<String, String> tags = new LinkedHashMap<>();
    if (json == null || json.isBlank()) {
      return tags;
    }
    JsonNode root = CallData.readJson(json, "--tags");
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("--tags must be a JSON object of strings");
    }
    root.properties()
        .forEach(
            entry -> {
              if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException("--tags must be a JSON object of strings");
              }
              tags.put(entry.getKey(), entry.getValue().asText());
            });
    return tags;
  }

  /** How long the end of a run waits for calls in flight: past their deadline, or a minute. */
  static Duration drainTimeout(Duration timeout) {
    return timeout.isZero() ? Duration.ofMinutes(1) : timeout.plusSeconds(5);
  }
}
