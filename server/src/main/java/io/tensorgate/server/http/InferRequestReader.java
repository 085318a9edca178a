package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.tensorgate.backend.DataType;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.proto.inference.ModelInferRequest.InferInputTensor;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a KServe v2 inference request (the JSON object, then the binary tensor data of Triton's
 * extension) into the ModelInferRequest the gRPC service takes: every input's data becomes a raw
 * content (JSON {@code data} converted as it is parsed, binary sections wrapped without a copy),
 * HTTP-only parameters ({@code binary_data_output}, {@code binary_data_size}, {@code binary_data})
 * are consumed, everything else passes through for the gRPC path to validate. Messages follow
 * Triton's; every refusal is a 400. One instance per request.
 */
final class InferRequestReader {
  /** Most inputs or outputs one request may list, before any model is consulted. */
  static final int MAX_TENSORS = 4096;

  private final byte[] body;
  private final int headerLength;
  private final int maxBytes;
  private final String model;
  private final ModelInferRequest.Builder request = ModelInferRequest.newBuilder();
  private final List<Input> inputs = new ArrayList<>();
  private final Map<String, InferResponseWriter.Kind> outputKinds = new LinkedHashMap<>();
  private InferResponseWriter.Kind fallback = InferResponseWriter.Kind.JSON;

  private InferRequestReader(byte[] body, int headerLength, int maxBytes, String model) {
    this.body = body;
    this.headerLength = headerLength;
    this.maxBytes = maxBytes;
    this.model = model;
  }

  /** The gRPC request, and how each output goes back. */
  record Decoded(ModelInferRequest request, InferResponseWriter.Plan plan) {}

  /** One input as the JSON describes it. */
  private static final class Input {
    String name;
    String datatype;
    long[] shape;
    final Map<String, InferParameter> parameters = new LinkedHashMap<>();
    long binarySize = -1;
    boolean data;
    int dataStart = -1;
    int dataEnd;
    TensorJsonReader.Data values;
  }

  /**
   * @param headerLength bytes of {@code body} that are JSON; the rest is binary tensor data
   * @param forwarded headers to add as string parameters ({@code --http-header-forward-pattern})
   * @throws HttpFailure 400 for a request that does not parse or breaks the extension's rules
   */
  static Decoded read(
      String model,
      String version,
      byte[] body,
      int headerLength,
      int maxBytes,
      Map<String, String> forwarded) {
    InferRequestReader r = new InferRequestReader(body, headerLength, maxBytes, model);
    r.request.setModelName(model).setModelVersion(version);
    try (JsonParser p = TritonJson.FACTORY.createParser(body, 0, headerLength)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      r.document(p);
    } catch (JsonProcessingException e) {
      throw HttpFailure.badRequest(RequestJson.parseError(e));
    } catch (IOException e) {
      throw HttpFailure.badRequest("failed to parse the request JSON buffer");
    }
    for (Map.Entry<String, String> h : forwarded.entrySet()) {
      r.request.putParameters(
          h.getKey(), InferParameter.newBuilder().setStringParam(h.getValue()).build());
    }
    r.attachData();
    return new Decoded(
        r.request.build(), new InferResponseWriter.Plan(Map.copyOf(r.outputKinds), r.fallback));
  }

  private void document(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw HttpFailure.badRequest("failed to parse the request JSON buffer: not a JSON object");
    }
    boolean sawInputs = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "id":
          if (t != JsonToken.VALUE_STRING) {
            throw HttpFailure.badRequest("Unable to parse 'id': expected a string");
          }
          request.setId(p.getText());
          break;
        case "parameters":
          requestParameters(p, t);
          break;
        case "inputs":
          RequestJson.expectArray(t, "inputs");
          while (p.nextToken() != JsonToken.END_ARRAY) {
            RequestJson.expectObject(p.currentToken(), "inputs");
            if (inputs.size() == MAX_TENSORS) {
              throw HttpFailure.badRequest("a request may have at most " + MAX_TENSORS + " inputs");
            }
            inputs.add(input(p));
          }
          sawInputs = true;
          break;
        case "outputs":
          RequestJson.expectArray(t, "outputs");
          while (p.nextToken() != JsonToken.END_ARRAY) {
            RequestJson.expectObject(p.currentToken(), "outputs");
            if (request.getOutputsCount() == MAX_TENSORS) {
              throw HttpFailure.badRequest(
                  "a request may have at most " + MAX_TENSORS + " outputs");
            }
            output(p);
          }
          break;
        default:
          p.skipChildren();
      }
    }
    if (p.nextToken() != null) {
      throw HttpFailure.badRequest(
          "failed to parse the request JSON buffer: The document root must not be followed by"
              + " other values.");
    }
    if (!sawInputs) {
      throw HttpFailure.badRequest("Unable to parse 'inputs': the request has no 'inputs' array");
    }
  }

  private void requestParameters(JsonParser p, JsonToken t) throws IOException {
    Map<String, InferParameter> params = RequestJson.parameters(p, t, "parameters");
    InferParameter bdo = params.remove("binary_data_output");
    if (bdo != null) {
      if (!bdo.hasBoolParam()) {
        throw HttpFailure.badRequest("Unable to parse 'binary_data_output': expected a boolean");
      }
      fallback =
          bdo.getBoolParam() ? InferResponseWriter.Kind.BINARY : InferResponseWriter.Kind.JSON;
    }
    request.putAllParameters(params);
  }

  private Input input(JsonParser p) throws IOException {
    Input in = new Input();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "name":
          in.name = RequestJson.string(p, t, "name");
          break;
        case "datatype":
          in.datatype = RequestJson.string(p, t, "datatype");
          break;
        case "shape":
          in.shape = RequestJson.shape(p, t);
          break;
        case "parameters":
          in.parameters.putAll(RequestJson.parameters(p, t, "parameters"));
          InferParameter size = in.parameters.remove("binary_data_size");
          if (size != null) {
            if (!size.hasInt64Param() || size.getInt64Param() < 0) {
              throw HttpFailure.badRequest(
                  "Unable to parse 'binary_data_size': expected an unsigned integer");
            }
            in.binarySize = size.getInt64Param();
          }
          break;
        case "data":
          in.data = true;
          if (in.binarySize >= 0 || in.parameters.containsKey("shared_memory_region")) {
            contentType(in);
          }
          DataType type = in.datatype == null ? null : DataType.fromWireName(in.datatype);
          if (type != null && in.shape != null && t == JsonToken.START_ARRAY) {
            in.values = readData(p, in, type);
          } else {
            // The datatype (or shape) comes later: read the array once the object is complete.
            in.dataStart = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            in.dataEnd = (int) p.currentLocation().getByteOffset();
          }
          break;
        default:
          p.skipChildren();
      }
    }
    if (in.name == null) {
      throw HttpFailure.badRequest("Unable to parse 'name': an input has no name");
    }
    if (in.datatype == null) {
      throw HttpFailure.badRequest("Unable to parse 'datatype' of input '" + in.name + "'");
    }
    if (in.shape == null) {
      throw HttpFailure.badRequest("Unable to parse 'shape' of input '" + in.name + "'");
    }
    contentType(in);
    if (in.data && in.values == null) {
      DataType type = DataType.fromWireName(in.datatype);
      if (type == null) {
        throw HttpFailure.badRequest("invalid datatype for input '" + in.name + "'");
      }
      try (JsonParser sub =
          TritonJson.FACTORY.createParser(body, in.dataStart, in.dataEnd - in.dataStart)) {
        sub.nextToken();
        in.values = readData(sub, in, type);
      }
    }
    return in;
  }

  /** Triton's rule: exactly one of 'data', 'binary_data_size' and 'shared_memory_region'. */
  private static void contentType(Input in) {
    boolean shm = in.parameters.containsKey("shared_memory_region");
    boolean binary = in.binarySize >= 0;
    int set = (in.data ? 1 : 0) + (binary ? 1 : 0) + (shm ? 1 : 0);
    if (set == 1) {
      return;
    }
    StringBuilder sb =
        new StringBuilder(
            "Input must set only one of the following fields: 'data', 'binary_data_size' in"
                + " 'parameters', 'shared_memory_region' in 'parameters'. But");
    if (set == 0) {
      sb.append(" no field is set");
    } else {
      sb.append(" set");
      if (in.data) {
        sb.append(" 'data'");
      }
      if (binary) {
        sb.append(" 'binary_data_size'");
      }
      if (shm) {
        sb.append(" 'shared_memory_region'");
      }
    }
    throw HttpFailure.badRequest(sb.toString());
  }

  private TensorJsonReader.Data readData(JsonParser p, Input in, DataType type) throws IOException {
    long elements = elements(in);
    if (type.isFixedSize() && elements > maxBytes / type.byteSize()) {
      throw HttpFailure.badRequest(
          "JSON input '"
              + in.name
              + "' has a byte_size ("
              + (elements > Long.MAX_VALUE / type.byteSize()
                  ? "more than " + Long.MAX_VALUE
                  : Long.toString(elements * type.byteSize()))
              + " bytes) that exceeds the maximum allowed value of "
              + maxBytes
              + " bytes. Use --http-max-input-size to increase the limit.");
    }
    int at = (int) p.currentTokenLocation().getByteOffset();
    long available = Math.max(0, headerLength - at);
    return TensorJsonReader.read(p, in.name, type, elements, available, maxBytes);
  }

  /** The shape's element count. */
  private static long elements(Input in) {
    long n = 1;
    for (long d : in.shape) {
      if (d != 0 && n > Long.MAX_VALUE / d) {
        throw HttpFailure.badRequest(
            "invalid shape for input '"
                + in.name
                + "': shape "
                + Arrays.toString(in.shape).replace(" ", "")
                + " causes total element count to exceed maximum size of "
                + Long.MAX_VALUE);
      }
      n *= d;
    }
    return n;
  }

  private void output(JsonParser p) throws IOException {
    ModelInferRequest.InferRequestedOutputTensor.Builder out = request.addOutputsBuilder();
    Map<String, InferParameter> params = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("name")) {
        out.setName(RequestJson.string(p, t, "name"));
      } else if (field.equals("parameters")) {
        params = RequestJson.parameters(p, t, "parameters");
      } else {
        p.skipChildren();
      }
    }
    if (out.getName().isEmpty()) {
      throw HttpFailure.badRequest("Unable to parse 'name': an output has no name");
    }
    InferParameter binary = params.remove("binary_data");
    if (binary != null && !binary.hasBoolParam()) {
      throw HttpFailure.badRequest("Unable to parse 'binary_data': expected a boolean");
    }
    boolean shm = params.containsKey("shared_memory_region");
    if (shm && params.containsKey("classification")) {
      throw HttpFailure.badRequest(
          "Output can't set both 'shared_memory_region' and 'classification'");
    }
    if (shm && binary != null && binary.getBoolParam()) {
      throw HttpFailure.badRequest(
          "Output can't set both 'shared_memory_region' and 'binary_data'");
    }
    InferParameter classes = params.get("classification");
    if (classes != null) {
      if (!classes.hasInt64Param() || classes.getInt64Param() < 0) {
        throw HttpFailure.badRequest(
            "Unable to set 'classification': expected an unsigned integer");
      }
      if (classes.getInt64Param() == 0) {
        // Triton's HTTP reads 0 as "no classification".
        params.remove("classification");
      }
    }
    out.putAllParameters(params);
    // Without 'binary_data' an output follows the request's 'binary_data_output'.
    if (shm) {
      outputKinds.put(out.getName(), InferResponseWriter.Kind.SHARED_MEMORY);
    } else if (binary != null) {
      outputKinds.put(
          out.getName(),
          binary.getBoolParam() ? InferResponseWriter.Kind.BINARY : InferResponseWriter.Kind.JSON);
    }
  }

  /**
   * Hands each input its data in input order: JSON data as converted, binary sections from after
   * the JSON header in the order of the inputs that declare them. Shared-memory inputs take none.
   */
  private void attachData() {
    int at = headerLength;
    for (Input in : inputs) {
      InferInputTensor.Builder t =
          request
              .addInputsBuilder()
              .setName(in.name)
              .setDatatype(in.datatype)
              .putAllParameters(in.parameters);
      for (long d : in.shape) {
        t.addShape(d);
      }
      if (in.values != null) {
        request.addRawInputContents(
            UnsafeByteOperations.unsafeWrap(in.values.bytes(), 0, in.values.length()));
      } else if (in.binarySize >= 0) {
        if (in.binarySize > 0 && headerLength == body.length) {
          throw HttpFailure.badRequest(
              "must specify valid 'Infer-Header-Content-Length' in request header and"
                  + " 'binary_data_size' when passing inputs in binary data format");
        }
        if (in.binarySize > body.length - at) {
          throw HttpFailure.badRequest(
              "unexpected size for input '"
                  + in.name
                  + "', expecting "
                  + (in.binarySize - (body.length - at))
                  + " additional bytes for model '"
                  + model
                  + "'");
        }
        int n = (int) in.binarySize;
        request.addRawInputContents(
            n == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(body, at, n));
        at += n;
      }
    }
    if (at != body.length) {
      throw HttpFailure.badRequest("unexpected additional input data for model '" + model + "'");
    }
  }
}
