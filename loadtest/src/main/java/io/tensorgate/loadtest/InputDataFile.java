package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * perf_analyzer's {@code --input-data} JSON file: {@code {"data": [entry, ...]}} where each entry
 * maps an input name to a flat (or nested, flattened row-major) list, to {@code {"b64": "..."}} raw
 * little-endian bytes, or to {@code {"content": list-or-b64, "shape": [..]}}. An entry holds one
 * batch element (the shape excludes the batch dimension). Sequence streams (an array of arrays) are
 * read one after the other.
 */
final class InputDataFile {

  /** One input of one entry: either JSON values or raw bytes, and an optional shape. */
  record Value(JsonNode values, byte[] raw, List<Long> shape) {

    /** The raw little-endian contents of this value for the given datatype. */
    byte[] bytes(WireType type) {
      return raw != null ? raw : TensorEncoding.encode(type, values);
    }
  }

  private InputDataFile() {}

  static List<Map<String, Value>> read(Path file) throws IOException {
    return parse(new ObjectMapper().readTree(file.toFile()));
  }

  static List<Map<String, Value>> parse(JsonNode root) {
    JsonNode data = root.get("data");
    if (data == null || !data.isArray() || data.isEmpty()) {
      throw new IllegalArgumentException("input data needs a non-empty \"data\" array");
    }
    List<Map<String, Value>> entries = new ArrayList<>();
    for (JsonNode item : data) {
      if (item.isArray()) {
        for (JsonNode step : item) {
          entries.add(entry(step));
        }
      } else {
        entries.add(entry(item));
      }
    }
    return entries;
  }

  private static Map<String, Value> entry(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("each \"data\" entry must be an object, got " + node);
    }
    Map<String, Value> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      values.put(field.getKey(), value(field.getKey(), field.getValue()));
    }
    return values;
  }

  private static Value value(String name, JsonNode node) {
    if (node.isArray()) {
      return new Value(node, null, null);
    }
    if (node.isObject() && node.has("b64")) {
      return new Value(null, Base64.getDecoder().decode(node.get("b64").asText()), null);
    }
    if (node.isObject() && node.has("content")) {
      List<Long> shape = null;
      if (node.has("shape")) {
        shape = new ArrayList<>();
        for (JsonNode dim : node.get("shape")) {
          shape.add(dim.asLong());
        }
      }
      Value content = value(name, node.get("content"));
      return new Value(content.values(), content.raw(), shape);
    }
    throw new IllegalArgumentException(
        "input '" + name + "': expected a list, {\"b64\": ...} or {\"content\": ...}, got " + node);
  }
}
