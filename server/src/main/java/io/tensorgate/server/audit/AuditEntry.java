package io.tensorgate.server.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tensorgate.server.security.Caller;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One state change, or one attempt at one: when, who, which call on which model version, the
 * arguments that matter, and how it ended (a gRPC status code name and message). Immutable.
 *
 * @param durable whether the audit log forces the line to disk before writing the next (admin calls
 *     and the rollout controller's decisions)
 */
public record AuditEntry(
    Instant time,
    Caller caller,
    String call,
    String model,
    String version,
    Map<String, String> arguments,
    String status,
    String message,
    boolean durable) {
  /** Longest string value written; longer ones are cut and marked. */
  static final int MAX_VALUE_CHARS = 256;

  private static final JsonFactory JSON = new JsonFactory();

  public AuditEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(call, "call");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
  }

  /** The entry as one JSON line (no newline), as the audit log writes it. */
  public String json() {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("time", time.toString());
      g.writeObjectFieldStart("caller");
      g.writeStringField("rule", cap(caller.rule()));
      g.writeStringField("subject", cap(caller.subject()));
      g.writeStringField("peer", cap(caller.peer()));
      g.writeEndObject();
      g.writeStringField("call", call);
      g.writeStringField("model", cap(model));
      g.writeStringField("version", cap(version));
      g.writeObjectFieldStart("arguments");
      for (Map.Entry<String, String> e : arguments.entrySet()) {
        g.writeStringField(cap(e.getKey()), cap(e.getValue()));
      }
      g.writeEndObject();
      g.writeStringField("status", status);
      g.writeStringField("message", cap(message));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** Client-given strings are bounded: an audit line stays small whatever a request held. */
  static String cap(String s) {
    return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS) + "...";
  }
}
