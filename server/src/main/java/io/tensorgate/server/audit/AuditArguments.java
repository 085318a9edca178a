package io.tensorgate.server.audit;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a state-changing request was about, read from any request message by its fields: {@code
 * model_name} is the model, {@code model_version} (or an integer {@code version}) the version, and
 * every other set field an argument, maps entry by entry ({@code parameters.config}). Bytes are
 * never written, only their size ({@code <1234 bytes>}): file contents and CUDA handles stay out.
 * At most {@value #MAX_ARGUMENTS} arguments, each value cut at {@value AuditEntry#MAX_VALUE_CHARS}
 * characters. Stateless.
 */
final class AuditArguments {
  static final int MAX_ARGUMENTS = 32;

  /** The model, version and arguments of one request. */
  record Of(String model, String version, Map<String, String> arguments) {}

  private AuditArguments() {}

  static Of of(Object request) {
    if (!(request instanceof Message m)) {
      return new Of("", "", Map.of());
    }
    String model = "";
    String version = "";
    Map<String, String> args = new LinkedHashMap<>();
    int skipped = 0;
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      String name = f.getName();
      if (name.equals("model_name") && f.getType() == FieldDescriptor.Type.STRING) {
        model = (String) e.getValue();
      } else if (name.equals("model_version") && f.getType() == FieldDescriptor.Type.STRING
          || name.equals("version") && f.getJavaType() == FieldDescriptor.JavaType.LONG) {
        version = String.valueOf(e.getValue());
      } else if (f.isMapField()) {
        for (Object entry : (List<?>) e.getValue()) {
          MessageOrBuilder kv = (MessageOrBuilder) entry;
          FieldDescriptor k = kv.getDescriptorForType().findFieldByName("key");
          FieldDescriptor v = kv.getDescriptorForType().findFieldByName("value");
          skipped += put(args, name + "." + kv.getField(k), value(v, kv.getField(v)));
        }
      } else {
        skipped += put(args, name, value(f, e.getValue()));
      }
    }
    if (skipped > 0) {
      args.put("more_arguments", Integer.toString(skipped));
    }
    return new Of(model, version, args);
  }

  private static int put(Map<String, String> args, String key, String value) {
    if (args.size() >= MAX_ARGUMENTS) {
      return 1;
    }
    args.put(AuditEntry.cap(key), AuditEntry.cap(value));
    return 0;
  }

  private static String value(FieldDescriptor f, Object v) {
    if (f.isRepeated() && v instanceof List<?> list) {
      StringBuilder sb = new StringBuilder("[");
      for (Object item : list) {
        if (sb.length() > AuditEntry.MAX_VALUE_CHARS) {
          break;
        }
        sb.append(sb.length() == 1 ? "" : ", ").append(scalar(item));
      }
      return sb.append(']').toString();
    }
    return scalar(v);
  }

  private static String scalar(Object v) {
    if (v instanceof ByteString b) {
      return "<" + b.size() + " bytes>";
    }
    if (v instanceof Message m) {
      return summary(m);
    }
    return String.valueOf(v);
  }

  /**
   * A nested message in one line, its bytes fields by their size only; a message with one scalar
   * field set (a parameter's oneof, a setting's values) by that field's value alone.
   */
  private static String summary(Message m) {
    Map<FieldDescriptor, Object> fields = m.getAllFields();
    if (fields.size() == 1) {
      Map.Entry<FieldDescriptor, Object> only = fields.entrySet().iterator().next();
      if (only.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        return value(only.getKey(), only.getValue());
      }
    }
    Message.Builder b = m.toBuilder();
    StringBuilder sizes = new StringBuilder();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      if (e.getValue() instanceof ByteString bytes) {
        b.clearField(e.getKey());
        sizes
            .append(' ')
            .append(e.getKey().getName())
            .append(": <")
            .append(bytes.size())
            .append(" bytes>");
      }
    }
    String text = TextFormat.printer().shortDebugString(b);
    return sizes.length() == 0 ? text : (text + sizes).strip();
  }
}
