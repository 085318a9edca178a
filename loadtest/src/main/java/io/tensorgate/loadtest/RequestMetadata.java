package io.tensorgate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ghz's {@code -m}/{@code -M} request metadata: a JSON object of strings sent as headers on every
 * call. Names are lower-cased (HTTP/2 requires it); values of {@code -bin} names are sent base64
 * encoded, as gRPC does; other values must be printable ASCII. Names gRPC reserves are refused.
 */
final class RequestMetadata {

  private RequestMetadata() {}

  static Map<String, String> parse(String json, boolean templatesAsText) {
    if (!templatesAsText && json.contains("{{")) {
      throw new IllegalArgumentException(
          "metadata templates ({{ ... }}) are not supported; give --disable-template-data to send"
              + " the text as it is");
    }
    JsonNode root = CallData.readJson(json, "metadata");
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("metadata must be a JSON object of strings");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      String name = entry.getKey().toLowerCase(Locale.ROOT);
      if (!entry.getValue().isTextual()) {
        throw new IllegalArgumentException("metadata '" + shorten(name) + "' is not a string");
      }
      checkName(name);
      String value = entry.getValue().asText();
      if (name.endsWith("-bin")) {
        value =
            Base64.getEncoder()
                .withoutPadding()
                .encodeToString(value.getBytes(StandardCharsets.UTF_8));
      } else if (!value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
        throw new IllegalArgumentException(
            "metadata '" + name + "' must be printable ASCII (or its name end in -bin)");
      }
      headers.put(name, value);
    }
    return headers;
  }

  private static void checkName(String name) {
    if (name.isEmpty() || !name.chars().allMatch(RequestMetadata::validNameChar)) {
      throw new IllegalArgumentException(
          "metadata name '" + shorten(name) + "' may hold only a-z, 0-9, '-', '_' and '.'");
    }
    if (name.startsWith("grpc-")
        || name.equals("content-type")
        || name.equals("te")
        || name.equals("user-agent")) {
      throw new IllegalArgumentException("metadata name '" + name + "' is reserved by gRPC");
    }
  }

  private static boolean validNameChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  }

  private static String shorten(String text) {
    return text.length() > 64 ? text.substring(0, 64) + "..." : text;
  }
}
