package io.tensorgate.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.tensorgate.backend.DataType;
import io.tensorgate.proto.inference.InferParameter;
import io.tensorgate.proto.inference.ModelInferResponse;
import io.tensorgate.proto.inference.ModelInferResponse.InferOutputTensor;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Writes a ModelInferResponse as Triton's HTTP response: the JSON object ({@code id} when set,
 * {@code model_name}, {@code model_version}, {@code parameters} when any, {@code outputs}), each
 * output's values as JSON {@code data} or, when asked for binary, as {@code binary_data_size} with
 * the bytes appended after the JSON in output order (wrapped, not copied). Outputs written to
 * shared memory carry neither. Stateless.
 */
final class InferResponseWriter {
  private InferResponseWriter() {}

  /** How one output goes back. */
  enum Kind {
    JSON,
    BINARY,
    SHARED_MEMORY
  }

  /** The request's choices: per named output, and for the others ({@code binary_data_output}). */
  record Plan(Map<String, Kind> kinds, Kind fallback) {
    Kind kind(String output) {
      return kinds.getOrDefault(output, fallback);
    }
  }

  /**
   * The response body.
   *
   * @param jsonLength bytes of JSON at its start ({@code Inference-Header-Content-Length})
   * @param binary whether binary tensor data follows the JSON
   */
  record Encoded(ByteBuf body, int jsonLength, boolean binary) {}

  /**
   * @throws HttpFailure when an output cannot be written as asked
   */
  static Encoded write(ModelInferResponse r, Plan plan, ByteBufAllocator alloc) {
    ByteBuf json = alloc.buffer(256 + 16 * r.getOutputsCount());
    CompositeByteBuf body = null;
    boolean ok = false;
    try {
      try (JsonGenerator g =
          TritonJson.FACTORY.createGenerator(
              (java.io.OutputStream) new ByteBufOutputStream(json))) {
        g.writeStartObject();
        if (!r.getId().isEmpty()) {
          g.writeStringField("id", r.getId());
        }
        g.writeStringField("model_name", r.getModelName());
        g.writeStringField("model_version", r.getModelVersion());
        if (r.getParametersCount() > 0) {
          g.writeObjectFieldStart("parameters");
          parameters(g, r.getParametersMap());
          g.writeEndObject();
        }
        g.writeArrayFieldStart("outputs");
        for (int i = 0; i < r.getOutputsCount(); i++) {
          InferOutputTensor out = r.getOutputs(i);
          ByteBuffer data =
              i < r.getRawOutputContentsCount()
                  ? r.getRawOutputContents(i).asReadOnlyByteBuffer()
                  : ByteBuffer.allocate(0);
          Kind kind = plan.kind(out.getName());
          g.writeStartObject();
          g.writeStringField("name", out.getName());
          g.writeStringField("datatype", out.getDatatype());
          g.writeArrayFieldStart("shape");
          long elements = 1;
          for (long d : out.getShapeList()) {
            g.writeNumber(d);
            elements *= d;
          }
          g.writeEndArray();
          if (out.getParametersCount() > 0) {
            g.writeObjectFieldStart("parameters");
            parameters(g, out.getParametersMap());
            if (kind == Kind.BINARY) {
              g.writeNumberField("binary_data_size", data.remaining());
            }
            g.writeEndObject();
          } else if (kind == Kind.BINARY) {
            g.writeObjectFieldStart("parameters");
            g.writeNumberField("binary_data_size", data.remaining());
            g.writeEndObject();
          }
          if (kind == Kind.BINARY && data.hasRemaining()) {
            if (body == null) {
              body = alloc.compositeBuffer(1 + r.getOutputsCount());
            }
            body.addComponent(true, Unpooled.wrappedBuffer(data));
          } else if (kind == Kind.JSON) {
            DataType type = DataType.fromWireName(out.getDatatype());
            if (type == null) {
              throw new HttpFailure(
                  io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR,
                  "Invalid data type for output tensor '" + out.getName() + "'");
            }
            g.writeFieldName("data");
            TensorJsonWriter.write(g, out.getName(), type, data, elements);
          }
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      int jsonLength = json.readableBytes();
      Encoded e;
      if (body == null) {
        e = new Encoded(json, jsonLength, false);
      } else {
        body.addComponent(true, 0, json);
        e = new Encoded(body, jsonLength, true);
      }
      ok = true;
      return e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!ok) {
        if (body != null) {
          body.release();
        }
        if (json.refCnt() > 0) {
          json.release();
        }
      }
    }
  }

  private static void parameters(JsonGenerator g, Map<String, InferParameter> params)
      throws IOException {
    for (Map.Entry<String, InferParameter> e : params.entrySet()) {
      InferParameter p = e.getValue();
      switch (p.getParameterChoiceCase()) {
        case BOOL_PARAM:
          g.writeBooleanField(e.getKey(), p.getBoolParam());
          break;
        case INT64_PARAM:
          g.writeNumberField(e.getKey(), p.getInt64Param());
          break;
        case UINT64_PARAM:
          g.writeFieldName(e.getKey());
          g.writeNumber(Long.toUnsignedString(p.getUint64Param()));
          break;
        case DOUBLE_PARAM:
          g.writeNumberField(e.getKey(), p.getDoubleParam());
          break;
        case STRING_PARAM:
          g.writeStringField(e.getKey(), p.getStringParam());
          break;
        default:
          break;
      }
    }
  }
}
