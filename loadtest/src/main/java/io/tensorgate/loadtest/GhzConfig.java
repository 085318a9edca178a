package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ghz's JSON config file ({@code --config}, ghz.sh/docs/example_config): each key is a flag's long
 * name, read with ghz's types. It is turned into command-line arguments placed before the real
 * ones, so that flags given on the command line override it, as in ghz. TOML and YAML configs are
 * refused.
 */
final class GhzConfig {

  /** How a key's value is written (ghz's runner.Config field types). */
  enum Kind {
    STRING,
    NUMBER,
    DURATION,
    BOOLEAN,
    /** A JSON object or array: the call data. */
    JSON,
    /** A JSON object of strings: metadata, tags. */
    STRING_MAP,
    /** A JSON array of strings, passed comma-separated: import-paths. */
    STRING_LIST
  }

  /** Every key of ghz's runner.Config (its json tags), with its kind. */
  static final Map<String, Kind> KEYS =
      Map.ofEntries(
          Map.entry("proto", Kind.STRING),
          Map.entry("protoset", Kind.STRING),
          Map.entry("call", Kind.STRING),
          Map.entry("cacert", Kind.STRING),
          Map.entry("cert", Kind.STRING),
          Map.entry("key", Kind.STRING),
          Map.entry("count-errors", Kind.BOOLEAN),
          Map.entry("skipTLS", Kind.BOOLEAN),
          Map.entry("skipFirst", Kind.NUMBER),
          Map.entry("cname", Kind.STRING),
          Map.entry("authority", Kind.STRING),
          Map.entry("insecure", Kind.BOOLEAN),
          Map.entry("total", Kind.NUMBER),
          Map.entry("async", Kind.BOOLEAN),
          Map.entry("concurrency", Kind.NUMBER),
          Map.entry("concurrency-schedule", Kind.STRING),
          Map.entry("concurrency-start", Kind.NUMBER),
          Map.entry("concurrency-end", Kind.NUMBER),
          Map.entry("concurrency-step", Kind.NUMBER),
          Map.entry("concurrency-step-duration", Kind.DURATION),
          Map.entry("concurrency-max-duration", Kind.DURATION),
          Map.entry("connections", Kind.NUMBER),
          Map.entry("rps", Kind.NUMBER),
          Map.entry("duration", Kind.DURATION),
          Map.entry("duration-stop", Kind.STRING),
          Map.entry("max-duration", Kind.DURATION),
          Map.entry("timeout", Kind.DURATION),
          Map.entry("data", Kind.JSON),
          Map.entry("data-file", Kind.STRING),
          Map.entry("binary-file", Kind.STRING),
          Map.entry("metadata", Kind.STRING_MAP),
          Map.entry("metadata-file", Kind.STRING),
          Map.entry("stream-interval", Kind.DURATION),
          Map.entry("stream-call-duration", Kind.DURATION),
          Map.entry("stream-call-count", Kind.NUMBER),
          Map.entry("stream-dynamic-messages", Kind.BOOLEAN),
          Map.entry("output", Kind.STRING),
          Map.entry("format", Kind.STRING),
          Map.entry("connect-timeout", Kind.DURATION),
          Map.entry("keepalive", Kind.DURATION),
          Map.entry("cpus", Kind.NUMBER),
          Map.entry("import-paths", Kind.STRING_LIST),
          Map.entry("name", Kind.STRING),
          Map.entry("tags", Kind.STRING_MAP),
          Map.entry("reflect-metadata", Kind.STRING_MAP),
          Map.entry("debug", Kind.STRING),
          Map.entry("host", Kind.STRING),
          Map.entry("enable-compression", Kind.BOOLEAN),
          Map.entry("load-schedule", Kind.STRING),
          Map.entry("load-start", Kind.NUMBER),
          Map.entry("load-end", Kind.NUMBER),
          Map.entry("load-step", Kind.NUMBER),
          Map.entry("load-step-duration", Kind.DURATION),
          Map.entry("load-max-duration", Kind.DURATION),
          Map.entry("lb-strategy", Kind.STRING),
          Map.entry("max-recv-message-size", Kind.STRING),
          Map.entry("max-send-message-size", Kind.STRING),
          Map.entry("disable-template-functions", Kind.BOOLEAN),
          Map.entry("disable-template-data", Kind.BOOLEAN));

  /**
   * A config as arguments, and its host.
   *
   * @param arguments {@code --key=value} for every key but "host"
   * @param host the config's host, or null
   */
  record Arguments(List<String> arguments, String host) {}

  private GhzConfig() {}

  /** Reads a config file; warns on {@code warnings} about keys ghz does not know (ghz ignores). */
  static Arguments read(Path file, PrintWriter warnings) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".toml") || name.endsWith(".yaml") || name.endsWith(".yml")) {
      throw new IllegalArgumentException(
          "only JSON config files are supported, not " + file.getFileName());
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--config: cannot read " + file);
    }
    JsonNode root = CallData.readJson(Files.readString(file), "config " + file.getFileName());
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config " + file.getFileName() + " is not a JSON object");
    }
    return arguments(root, warnings);
  }

  static Arguments arguments(JsonNode root, PrintWriter warnings) {
    List<String> arguments = new ArrayList<>();
    String host = null;
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      Kind kind = KEYS.get(key);
      if (kind == null) {
        warnings.println("warning: config key '" + key + "' is not a ghz option; ignored");
        continue;
      }
      if (value.isNull()) {
        continue;
      }
      String text = text(key, kind, value);
      if (key.equals("host")) {
        host = text;
      } else {
        arguments.add("--" + key + "=" + text);
      }
    }
    warnings.flush();
    return new Arguments(arguments, host);
  }

  private static String text(String key, Kind kind, JsonNode value) {
    return switch (kind) {
      case STRING, DURATION -> {
        require(value.isTextual() || (kind == Kind.DURATION && value.isIntegralNumber()), key);
        yield value.asText();
      }
      case NUMBER -> {
        require(value.isNumber(), key);
        yield value.asText();
      }
      case BOOLEAN -> {
        require(value.isBoolean(), key);
        yield value.asText();
      }
      case JSON -> {
        require(value.isObject() || value.isArray() || value.isTextual(), key);
        yield value.isTextual() ? value.asText() : value.toString();
      }
      case STRING_MAP -> {
        require(value.isObject(), key);
        value.properties().forEach(field -> require(field.getValue().isTextual(), key));
        yield value.toString();
      }
      case STRING_LIST -> {
        require(value.isArray(), key);
        List<String> items = new ArrayList<>();
        value.forEach(
            item -> {
              require(item.isTextual(), key);
              items.add(item.asText());
            });
        yield String.join(",", items);
      }
    };
  }

  private static void require(boolean ok, String key) {
    if (!ok) {
      throw new IllegalArgumentException("config key '" + key + "' has a value of the wrong type");
    }
  }
}
