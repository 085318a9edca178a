package io.tensorgate.server.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.Tensor;
import io.tensorgate.proto.inference.ModelInferRequest;
import io.tensorgate.server.observe.CompletedRequest;
import io.tensorgate.server.observe.TensorValues;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One payload log record as a JSON line: when, which model version (and, for signed models, the
 * digest of the files it was loaded from), how it was routed, how it ended, how long it took, and
 * its inputs and outputs (the first {@code maxElements} values of each tensor; {@code truncated}
 * says when there were more).
 */
final class PayloadRecord {
  private PayloadRecord() {}

  /** Builds the line on the answering thread: the tensors' buffers are valid only now. */
  static String json(JsonFactory json, CompletedRequest r, int maxElements) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = json.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.now().toString());
      g.writeStringField("model", r.version().name());
      g.writeStringField("version", r.version().versionString());
      if (r.version().provenance().verified()) {
        g.writeStringField("model_digest", r.version().provenance().digest());
      }
      g.writeStringField("id", r.wire().getId());
      g.writeStringField("route", r.routeReason());
      g.writeStringField("status", r.succeeded() ? "OK" : r.error().code().name());
      if (!r.succeeded()) {
        g.writeStringField("error", r.error().message());
      }
      g.writeNumberField("latency_us", (r.endNanos() - r.arrivalNanos()) / 1000);
      if (r.dispatchNanos() != 0) {
        g.writeNumberField("queue_us", (r.dispatchNanos() - r.arrivalNanos()) / 1000);
      }
      if (r.batchSize() > 0) {
        g.writeNumberField("batch_size", r.batchSize());
      }
      g.writeArrayFieldStart("inputs");
      if (r.decoded() != null) {
        for (Tensor t : r.decoded().inputs()) {
          tensor(g, t, maxElements);
        }
      } else {
        for (ModelInferRequest.InferInputTensor t : r.wire().getInputsList()) {
          // Not decoded (the request was refused): what the client declared, without values.
          g.writeStartObject();
          g.writeStringField("name", t.getName());
          g.writeStringField("datatype", t.getDatatype());
          g.writeArrayFieldStart("shape");
          for (long d : t.getShapeList()) {
            g.writeNumber(d);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      if (r.outputs() != null) {
        g.writeArrayFieldStart("outputs");
        for (Tensor t : r.outputs()) {
          tensor(g, t, maxElements);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void tensor(JsonGenerator g, Tensor t, int maxElements) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", t.name());
    g.writeStringField("datatype", t.dataType().wireName());
    g.writeArrayFieldStart("shape");
    for (long d : t.shape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    if (maxElements > 0) {
      g.writeArrayFieldStart("data");
      int written;
      if (t.dataType() == DataType.BYTES) {
        String[] s = TensorValues.strings(t, maxElements, 1024);
        for (String v : s) {
          g.writeString(v);
        }
        written = s.length;
      } else {
        double[] v = TensorValues.numbers(t, maxElements);
        boolean integer = TensorValues.isInteger(t.dataType());
        for (double d : v) {
          if (integer) {
            g.writeNumber((long) d);
          } else if (Double.isFinite(d)) {
            g.writeNumber(d);
          } else {
            g.writeString(Double.toString(d));
          }
        }
        written = v.length;
      }
      g.writeEndArray();
      g.writeBooleanField("truncated", written < t.elementCount());
    }
    g.writeEndObject();
  }
}
