package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small JSON values of an inference request, read from a streaming parser with Triton's words
 * for what is wrong: shapes, parameters objects (as gRPC parameters), strings, and the parser's own
 * complaints, reported without echoing the document. Stateless.
 */
final class RequestJson {
  /** Most parameters one object may carry. */
  static final int MAX_PARAMETERS = 1024;

  private RequestJson() {}

  /** A parser's complaint in Triton's words, without echoing the document. */
  static String parseError(IOException e) {
    if (e instanceof StreamConstraintsException
        && String.valueOf(e.getMessage()).contains("depth")) {
      return "JSON nesting depth exceeds maximum allowed limit ("
          + TritonJson.MAX_NESTING_DEPTH
          + ")";
    }
    String reason = e instanceof JsonProcessingException j ? j.getOriginalMessage() : "bad JSON";
    if (reason == null) {
      reason = "bad JSON";
    }
    int cut = reason.indexOf('\n');
    if (cut >= 0) {
      reason = reason.substring(0, cut);
    }
    if (reason.length() > 160) {
      reason = reason.substring(0, 160) + "...";
    }
    long at = -1;
    if (e instanceof JsonParseException j && j.getLocation() != null) {
      at = j.getLocation().getByteOffset();
    }
    return "failed to parse the request JSON buffer: " + reason + (at >= 0 ? " at " + at : "");
  }

  static long[] shape(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      throw HttpFailure.badRequest("Unable to parse 'shape': expected an array");
    }
    long[] dims = new long[4];
    int n = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || p.getLongValue() < 0) {
        throw HttpFailure.badRequest(
            "Unable to parse 'shape': expected non-negative integers, got "
                + TensorJsonReader.describe(p.currentToken()));
      }
      if (n == dims.length) {
        if (n == 64) {
          throw HttpFailure.badRequest("Unable to parse 'shape': more than 64 dimensions");
        }
        dims = Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = p.getLongValue();
    }
    return Arrays.copyOf(dims, n);
  }

  /** A parameters object as gRPC parameters: bool, int64 (uint64 past it), double or string. */
  static Map<String, InferParameter> parameters(JsonParser p, JsonToken t, String what)
      throws IOException {
    expectObject(t, what);
    Map<String, InferParameter> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      if (out.size() == MAX_PARAMETERS) {
        throw HttpFailure.badRequest("at most " + MAX_PARAMETERS + " parameters are allowed");
      }
      InferParameter.Builder b = InferParameter.newBuilder();
      switch (v) {
        case VALUE_TRUE:
        case VALUE_FALSE:
          b.setBoolParam(v == JsonToken.VALUE_TRUE);
          break;
        case VALUE_STRING:
          b.setStringParam(p.getText());
          break;
        case VALUE_NUMBER_INT:
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger big = p.getBigIntegerValue();
            if (big.signum() < 0 || big.bitLength() > 64) {
              throw HttpFailure.badRequest("parameter '" + key + "' is out of range");
            }
            b.setUint64Param(big.longValue());
          } else {
            b.setInt64Param(p.getLongValue());
          }
          break;
        case VALUE_NUMBER_FLOAT:
          b.setDoubleParam(p.getDoubleValue());
          break;
        default:
          throw HttpFailure.badRequest(
              "parameter '"
                  + key
                  + "' has invalid type. It should be either 'int', 'bool', or 'string'.");
      }
      out.put(key, b.build());
    }
    return out;
  }

  static String string(JsonParser p, JsonToken t, String what) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw HttpFailure.badRequest("Unable to parse '" + what + "': expected a string");
    }
    return p.getText();
  }

  static void expectArray(JsonToken t, String what) {
    if (t != JsonToken.START_ARRAY) {
      throw HttpFailure.badRequest("Unable to parse '" + what + "': expected an array");
    }
  }

  static void expectObject(JsonToken t, String what) {
    if (t != JsonToken.START_OBJECT) {
      throw HttpFailure.badRequest(
          "Unable to parse '"
              + what
              + "': expected an object, got "
              + TensorJsonReader.describe(t));
    }
  }
}
