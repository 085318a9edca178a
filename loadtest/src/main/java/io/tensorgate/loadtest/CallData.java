package io.tensorgate.loadtest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ghz's call data: {@code -d}/{@code -D} JSON in the proto3 JSON mapping of the call's request
 * message (unknown fields refused), one message or an array of them; {@code -b}/{@code -B}
 * serialized protobuf, several length-delimited messages or one message. ghz's call templates
 * ({@code {{.RequestNumber}}} ...) are not executed: requests are serialized once, before the run.
 */
final class CallData {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CallData() {}

  /**
   * The messages of JSON call data.
   *
   * @param templatesAsText ghz's {@code --disable-template-data}: send {@code {{ }}} as it is
   */
  static List<Message> fromJson(String json, Message prototype, boolean templatesAsText)
      throws IOException {
    if (!templatesAsText && json.contains("{{")) {
      throw new IllegalArgumentException(
          "call data templates ({{ ... }}) are not supported: requests are serialized once before"
              + " the run; give --disable-template-data to send the text as it is");
    }
    JsonNode root = readJson(json, "call data");
    if (root == null || !(root.isObject() || root.isArray())) {
      throw new IllegalArgumentException("call data must be a JSON object or an array of them");
    }
    List<JsonNode> items = new ArrayList<>();
    if (root.isArray()) {
      if (root.isEmpty()) {
        throw new IllegalArgumentException("call data array must not be empty");
      }
      root.forEach(items::add);
    } else {
      items.add(root);
    }
    List<Message> messages = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      if (!item.isObject()) {
        throw new IllegalArgumentException("call data element " + i + " is not a JSON object");
      }
      Message.Builder builder = prototype.newBuilderForType();
      try {
        JsonFormat.parser().merge(item.toString(), builder);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(
            "call data "
                + (items.size() > 1 ? "element " + i + " " : "")
                + "is not a valid "
                + prototype.getDescriptorForType().getName()
                + ": "
                + shorten(e.getMessage()),
            e);
      }
      messages.add(builder.build());
    }
    return messages;
  }

  /** The messages of binary call data: length-delimited messages if it parses so, else one. */
  static List<Message> fromBinary(byte[] bytes, Message prototype) {
    List<Message> delimited = new ArrayList<>();
    try {
      ByteArrayInputStream in = new ByteArrayInputStream(bytes);
      while (in.available() > 0) {
        Message message = prototype.getParserForType().parseDelimitedFrom(in);
        if (message == null) {
          break;
        }
        delimited.add(message);
      }
      if (!delimited.isEmpty()) {
        return delimited;
      }
    } catch (IOException e) {
      // Not length-delimited: ghz then reads one message.
    }
    try {
      return List.of(prototype.getParserForType().parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "binary call data is not a serialized "
              + prototype.getDescriptorForType().getName()
              + ": "
              + shorten(e.getMessage()),
          e);
    }
  }

  /** Parses JSON; a syntax error becomes one short line naming {@code what} and the position. */
  static JsonNode readJson(String json, String what) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException(
          what
              + " is not valid JSON: "
              + shorten(e.getOriginalMessage())
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
          e);
    }
  }

  /** Reads a file named by a flag; a missing one is one short line. */
  static String readFile(Path file, String flag) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(flag + ": no such file " + file, e);
    }
  }

  private static String shorten(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
