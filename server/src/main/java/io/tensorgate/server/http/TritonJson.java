package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Map;

/**
 * Protobuf messages as Triton's HTTP endpoint writes them: the proto's own field names, fields with
 * default values included, and 64-bit integers as JSON numbers (protobuf's JSON mapping writes them
 * as strings; Triton converts them back, and its clients read numbers). Also reads small request
 * bodies into a tree, with Triton's nesting limit. Stateless and thread-safe.
 */
final class TritonJson {
  /** Triton's {@code HTTP_MAX_JSON_NESTING_DEPTH}. */
  static final int MAX_NESTING_DEPTH = 100;

  /** Reads NaN and Infinity (as Triton's parser does), at most 100 levels deep. */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_NESTING_DEPTH)
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          .build();

  static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer()
          .preservingProtoFieldNames()
          .includingDefaultValueFields()
          .omittingInsignificantWhitespace();

  private TritonJson() {}

  /** The message as a JSON tree, 64-bit integers as numbers. */
  static ObjectNode tree(MessageOrBuilder message) {
    try {
      ObjectNode node = (ObjectNode) MAPPER.readTree(PRINTER.print(message));
      numbers(node, message.getDescriptorForType());
      return node;
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot write a response as JSON", e);
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] print(MessageOrBuilder message) {
    return bytes(tree(message));
  }

  /**
   * A request body as a JSON object; an empty body is an empty object.
   *
   * @throws HttpFailure 400 with the parser's reason when it is not a JSON object
   */
  static ObjectNode readObject(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      throw HttpFailure.badRequest(RequestJson.parseError(e));
    }
    if (node == null || node.isMissingNode()) {
      return MAPPER.createObjectNode();
    }
    if (!node.isObject()) {
      throw HttpFailure.badRequest("the request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** Replaces the strings protobuf writes for 64-bit integers with numbers, recursively. */
  private static void numbers(ObjectNode node, Descriptor type) {
    for (FieldDescriptor f : type.getFields()) {
      JsonNode v = node.get(f.getName());
      if (v == null || v.isNull()) {
        continue;
      }
      if (f.isMapField()) {
        FieldDescriptor value = f.getMessageType().findFieldByName("value");
        if (v.isObject()) {
          ObjectNode map = (ObjectNode) v;
          for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode fixed = fix(e.getValue(), value);
            if (fixed != e.getValue()) {
              e.setValue(fixed);
            }
          }
        }
      } else if (f.isRepeated()) {
        if (v.isArray()) {
          ArrayNode a = (ArrayNode) v;
          for (int i = 0; i < a.size(); i++) {
            JsonNode fixed = fix(a.get(i), f);
            if (fixed != a.get(i)) {
              a.set(i, fixed);
            }
          }
        }
      } else {
        JsonNode fixed = fix(v, f);
        if (fixed != v) {
          node.set(f.getName(), fixed);
        }
      }
    }
  }

  private static JsonNode fix(JsonNode v, FieldDescriptor f) {
    switch (f.getType()) {
      case MESSAGE:
        if (v.isObject() && !f.getMessageType().getFullName().startsWith("google.protobuf.")) {
          numbers((ObjectNode) v, f.getMessageType());
        }
        return v;
      case INT64:
      case SINT64:
      case SFIXED64:
        return v.isTextual() ? MAPPER.getNodeFactory().numberNode(Long.parseLong(v.asText())) : v;
      case UINT64:
      case FIXED64:
        return v.isTextual() ? MAPPER.getNodeFactory().numberNode(new BigInteger(v.asText())) : v;
      default:
        return v;
    }
  }
}
