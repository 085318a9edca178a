package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Builds a run's {@link ReportContext}: ghz's {@code options} object, field for field as ghz's
 * runner.Options marshals it (its omitempty fields left out when empty, durations in nanoseconds),
 * and the {@code "tensorgate"} object naming the client and the model.
 */
final class GhzReportContext {

  static final String CLIENT_NAME = "tensorgate-loadtest";

  private GhzReportContext() {}

  static ReportContext of(
      GhzOptions ghz,
      ModelOptions model,
      RpcMethod method,
      CallRequests call,
      Http2Transport transport,
      int threads,
      List<GhzLevels.Level> levels)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode o = mapper.createObjectNode();
    o.put("call", ghz.call);
    o.put("host", ghz.host);
    putIfSet(o, "proto", ghz.proto);
    putIfSet(o, "protoset", ghz.protoset);
    if (ghz.importPaths != null && !ghz.importPaths.isBlank()) {
      o.set("import-paths", mapper.valueToTree(List.of(ghz.importPaths.split(","))));
    }
    if (ghz.enableCompression) {
      o.put("enable-compression", true);
    }
    putIfSet(o, "cacert", ghz.cacert == null ? null : ghz.cacert.toString());
    putIfSet(o, "cert", ghz.cert == null ? null : ghz.cert.toString());
    putIfSet(o, "key", ghz.key == null ? null : ghz.key.toString());
    putIfSet(o, "cname", ghz.cname);
    if (ghz.skipTls) {
      o.put("skipTLS", true);
    }
    o.put("insecure", ghz.insecure);
    putIfSet(o, "authority", ghz.authority);
    if (ghz.rps > 0) {
      o.put("rps", ghz.rps);
    }
    o.put("load-schedule", ghz.loadSchedule);
    o.put("load-start", ghz.loadStart);
    o.put("load-end", ghz.loadEnd);
    o.put("load-step", ghz.loadStep);
    o.put("load-step-duration", ghz.loadStepDuration.toNanos());
    o.put("load-max-duration", ghz.loadMaxDuration.toNanos());
    o.put("concurrency", ghz.concurrency);
    o.put("concurrency-schedule", ghz.concurrencySchedule);
    o.put("concurrency-start", ghz.concurrencyStart);
    o.put("concurrency-end", ghz.concurrencyEnd);
    o.put("concurrency-step", ghz.concurrencyStep);
    o.put("concurrency-step-duration", ghz.concurrencyStepDuration.toNanos());
    o.put("concurrency-max-duration", ghz.concurrencyMaxDuration.toNanos());
    LoadPlan plan = levels.get(0).plan();
    // ghz writes MaxInt32 as the total of a run bounded by -z.
    o.put("total", plan.total() == Long.MAX_VALUE ? Integer.MAX_VALUE : plan.total());
    if (ghz.async) {
      o.put("async", true);
    }
    o.put("connections", ghz.connections);
    if (!plan.duration().isZero()) {
      o.put("duration", plan.duration().toNanos());
    }
    if (!ghz.timeout.isZero()) {
      o.put("timeout", ghz.timeout.toNanos());
    }
    o.put("dial-timeout", ghz.connectTimeout.toNanos());
    if (!ghz.keepalive.isZero()) {
      o.put("keepalive", ghz.keepalive.toNanos());
    }
    if (call.data() != null) {
      o.set("data", call.data());
    }
    o.put("binary", call.binary());
    if (ghz.metadata != null && !ghz.metadata.isBlank()) {
      o.set("metadata", mapper.readTree(ghz.metadata));
    }
    o.put("CPUs", ghz.cpus > 0 ? ghz.cpus : Runtime.getRuntime().availableProcessors());
    putIfSet(o, "name", ghz.name);
    if (ghz.skipFirst > 0) {
      o.put("skipFirst", ghz.skipFirst);
    }
    if (ghz.countErrors) {
      o.put("count-errors", true);
    }
    return new ReportContext(
        ghz.name,
        o,
        GhzRun.tags(ghz.tags),
        extension(mapper, model, method, call, transport, threads),
        ghz.countErrors,
        model.details);
  }

  private static ObjectNode extension(
      ObjectMapper mapper,
      ModelOptions model,
      RpcMethod method,
      CallRequests call,
      Http2Transport transport,
      int threads) {
    ObjectNode node = mapper.createObjectNode();
    ObjectNode client = node.putObject("client");
    String io = transport.epoll() ? "epoll" : "nio";
    client.put("name", CLIENT_NAME);
    client.put("transport", "lean HTTP/2 (netty-codec-http2), requests serialized once");
    client.put("io", io);
    client.put("connections", transport.connections());
    client.put("threads", threads);
    client.put(
        "description",
        String.format(
            Locale.ROOT,
            "%s (lean HTTP/2 client, %s, %d connection%s, %d I/O thread%s)",
            CLIENT_NAME,
            io,
            transport.connections(),
            transport.connections() == 1 ? "" : "s",
            threads,
            threads == 1 ? "" : "s"));
    node.put("call", method.ghzName());
    if (call.model() != null) {
      node.put("model", call.model());
      node.put("modelVersion", call.modelVersion());
    }
    if (model.model != null && call.data() == null && !call.binary()) {
      node.put("inputData", model.inputData);
      node.put("sharedMemory", model.sharedMemory);
    }
    node.put("warmupNanos", model.warmup.toNanos());
    return node;
  }

  private static void putIfSet(ObjectNode node, String key, String value) {
    if (value != null && !value.isEmpty()) {
      node.put(key, value);
    }
  }
}
