package io.tensorgate.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * ghz's command line (ghz.sh/docs/options), with ghz's names, meanings and defaults. A ghz config
 * file's keys are these long names without the dashes ({@link GhzConfig}). Flags ghz has that this
 * harness does not implement are accepted by name and refused with a reason ({@link
 * #unsupported()}), so that nothing is silently ignored.
 */
final class GhzOptions {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "host",
      description = "host:port to test (or the config's \"host\")")
  String host;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "JSON config file with ghz's keys; command-line flags override it")
  Path config;

  @Option(
      names = "--call",
      defaultValue = "inference.GRPCInferenceService.ModelInfer",
      description =
          "method, package.Service/Method or package.Service.Method (default ${DEFAULT-VALUE})")
  String call;

  @Option(
      names = "--proto",
      description = "accepted for ghz configs; the harness has Triton's protos compiled in")
  String proto;

  @Option(names = "--protoset", description = "accepted for ghz configs; not read")
  String protoset;

  @Option(
      names = {"-i", "--import-paths"},
      description = "accepted for ghz configs; not read")
  String importPaths;

  // Security.

  @Option(names = "--insecure", arity = "0..1", description = "plaintext HTTP/2 (h2c)")
  boolean insecure;

  @Option(names = "--cacert", description = "PEM roots that verify the server")
  Path cacert;

  @Option(names = "--cert", description = "PEM client certificate (with --key)")
  Path cert;

  @Option(names = "--key", description = "PEM client private key (with --cert)")
  Path key;

  @Option(names = "--cname", description = "server name to verify the certificate against")
  String cname;

  @Option(names = "--skipTLS", arity = "0..1", description = "do not verify the server")
  boolean skipTls;

  @Option(names = "--authority", description = "the :authority pseudo-header")
  String authority;

  // Load.

  @Option(
      names = "--async",
      arity = "0..1",
      description = "send on the rate's schedule without waiting for a free worker (open loop)")
  boolean async;

  @Option(
      names = {"-r", "--rps"},
      defaultValue = "0",
      description = "requests per second in total, 0 for no rate limit (default ${DEFAULT-VALUE})")
  long rps;

  @Option(
      names = "--load-schedule",
      defaultValue = "const",
      description = "const, step or line (default ${DEFAULT-VALUE})")
  String loadSchedule;

  @Option(names = "--load-start", defaultValue = "0", description = "step/line: starting rps")
  long loadStart;

  @Option(names = "--load-step", defaultValue = "0", description = "step/line: rps change")
  long loadStep;

  @Option(names = "--load-end", defaultValue = "0", description = "step/line: final rps")
  long loadEnd;

  @Option(
      names = "--load-step-duration",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "step: time between changes")
  Duration loadStepDuration;

  @Option(
      names = "--load-max-duration",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "step/line: time after which the rps stays")
  Duration loadMaxDuration;

  // Concurrency.

  @Option(
      names = {"-c", "--concurrency"},
      defaultValue = "50",
      description = "workers for the const concurrency schedule (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--concurrency-schedule",
      defaultValue = "const",
      description = "const, step or line (default ${DEFAULT-VALUE})")
  String concurrencySchedule;

  @Option(names = "--concurrency-start", defaultValue = "0", description = "step/line: start")
  long concurrencyStart;

  @Option(names = "--concurrency-end", defaultValue = "0", description = "step/line: end")
  long concurrencyEnd;

  @Option(names = "--concurrency-step", defaultValue = "1", description = "step/line: change")
  long concurrencyStep;

  @Option(
      names = "--concurrency-step-duration",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "step: time between changes")
  Duration concurrencyStepDuration;

  @Option(
      names = "--concurrency-max-duration",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "step/line: time after which the workers stay")
  Duration concurrencyMaxDuration;

  // Run.

  @Option(
      names = {"-n", "--total"},
      defaultValue = "200",
      description = "calls to make; ignored with -z (default ${DEFAULT-VALUE})")
  long total;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "per-call deadline, 0 for none (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(
      names = {"-z", "--duration"},
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "how long to send; -n is then ignored (e.g. 10s, 3m)")
  Duration duration;

  @Option(
      names = {"-x", "--max-duration"},
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "longest run, -n still counts")
  Duration maxDuration;

  @Option(
      names = "--duration-stop",
      defaultValue = "close",
      description =
          "calls in flight when -z ends: close (reported as failed), wait, ignore (default ${DEFAULT-VALUE})")
  String durationStop;

  // Data.

  @Option(
      names = {"-d", "--data"},
      description = "call data as JSON (one message, or an array cycled through); @ reads stdin")
  String data;

  @Option(
      names = {"-D", "--data-file"},
      description = "file holding the call data as JSON")
  Path dataFile;

  @Option(
      names = {"-b", "--binary"},
      arity = "0..1",
      description = "call data is serialized protobuf on stdin (one or length-delimited messages)")
  boolean binary;

  @Option(
      names = {"-B", "--binary-file"},
      description = "file holding serialized call data")
  Path binaryFile;

  @Option(
      names = {"-m", "--metadata"},
      description = "request metadata as a JSON object of strings")
  String metadata;

  @Option(
      names = {"-M", "--metadata-file"},
      description = "file holding the metadata JSON")
  Path metadataFile;

  @Option(
      names = "--stream-call-count",
      defaultValue = "0",
      description = "streaming calls: messages sent per call (data cycled through)")
  long streamCallCount;

  // Output.

  @Option(
      names = {"-o", "--output"},
      description = "output file (default stdout)")
  Path output;

  @Option(
      names = {"-O", "--format"},
      defaultValue = "summary",
      description = "summary, csv, json, pretty or html (default ${DEFAULT-VALUE})")
  String format;

  @Option(
      names = "--skipFirst",
      defaultValue = "0",
      description = "leave the first N answers out of the report")
  long skipFirst;

  @Option(
      names = "--count-errors",
      arity = "0..1",
      description = "statistics cover failed calls too")
  boolean countErrors;

  // Connection.

  @Option(
      names = "--connections",
      defaultValue = "1",
      description = "HTTP/2 connections the workers share (default ${DEFAULT-VALUE})")
  int connections;

  @Option(
      names = "--connect-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "connection timeout (default ${DEFAULT-VALUE})")
  Duration connectTimeout;

  @Option(
      names = "--keepalive",
      defaultValue = "0",
      converter = DurationConverter.class,
      description = "HTTP/2 PING interval, 0 for none")
  Duration keepalive;

  @Option(names = "--name", defaultValue = "", description = "name of the test")
  String name;

  @Option(names = "--tags", description = "JSON object of string tags for the report")
  String tags;

  @Option(
      names = "--cpus",
      defaultValue = "0",
      description = "client I/O threads (default: the CPUs, at most one per connection)")
  int cpus;

  @Option(
      names = {"-e", "--enable-compression"},
      arity = "0..1",
      description = "gzip the requests")
  boolean enableCompression;

  @Option(
      names = "--max-recv-message-size",
      description = "largest response accepted, bytes or e.g. 42MB")
  String maxRecvMessageSize;

  @Option(
      names = "--max-send-message-size",
      description = "largest request allowed, bytes or e.g. 42MB")
  String maxSendMessageSize;

  @Option(
      names = "--disable-template-functions",
      arity = "0..1",
      description = "accepted; call data templates are not executed")
  boolean disableTemplateFunctions;

  @Option(
      names = "--disable-template-data",
      arity = "0..1",
      description = "send call data containing {{ }} as it is")
  boolean disableTemplateData;

  @Option(
      names = "--reflect-metadata",
      description = "accepted; the harness does not use server reflection")
  String reflectMetadata;

  // ghz flags this harness refuses, each with its reason.

  @Option(names = "--stream-interval", hidden = true)
  String streamInterval;

  @Option(names = "--stream-call-duration", hidden = true)
  String streamCallDuration;

  @Option(names = "--stream-dynamic-messages", arity = "0..1", hidden = true)
  Boolean streamDynamicMessages;

  @Option(names = "--debug", hidden = true)
  String debug;

  @Option(names = "--lb-strategy", hidden = true)
  String lbStrategy;

  /** The first ghz flag given that this harness does not implement, with why; else null. */
  String unsupported() {
    if (streamInterval != null || streamCallDuration != null || streamDynamicMessages != null) {
      return "--stream-interval, --stream-call-duration and --stream-dynamic-messages are not"
          + " supported: a streaming call sends its messages at once (use --stream-call-count)";
    }
    if (debug != null) {
      return "--debug is not supported";
    }
    if (lbStrategy != null) {
      return "--lb-strategy is not supported: the harness connects to one host";
    }
    if (!format.equals("summary")
        && !format.equals("csv")
        && !format.equals("json")
        && !format.equals("pretty")
        && !format.equals("html")) {
      return "-O " + format + " is not supported; use summary, csv, json, pretty or html";
    }
    return null;
  }
}
