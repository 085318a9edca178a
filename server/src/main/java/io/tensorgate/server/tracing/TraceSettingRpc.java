package io.tensorgate.server.tracing;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * TraceSetting, as Triton answers it in OpenTelemetry mode: reads and updates {@code trace_level},
 * {@code trace_rate} and {@code trace_count}, globally or for one ready model, and reports them
 * with {@code trace_mode: opentelemetry}. Triton's file settings have no meaning when traces are
 * exported with OpenTelemetry: {@code trace_file} is refused as Triton refuses it over the network,
 * {@code log_frequency} and unknown names with INVALID_ARGUMENT. A bad request changes nothing.
 */
public final class TraceSettingRpc {
  private final TraceSettings settings;
  private final Predicate<String> modelReady;

  /**
   * @param modelReady whether a model name has a READY version (per-model settings need one)
   */
  public TraceSettingRpc(TraceSettings settings, Predicate<String> modelReady) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.modelReady = Objects.requireNonNull(modelReady, "modelReady");
  }

  /** Applies the request's settings, if any, and returns the settings now in force. */
  public TraceSettingResponse handle(TraceSettingRequest req) throws InferenceException {
    String model = req.getModelName().isEmpty() ? null : req.getModelName();
    if (model != null && !modelReady.test(model)) {
      throw invalid("Request for unknown model : " + model);
    }
    Map<String, TraceSettings.Change<?>> change = new HashMap<>();
    for (Map.Entry<String, TraceSettingRequest.SettingValue> e : req.getSettingsMap().entrySet()) {
      List<String> values = e.getValue().getValueList();
      switch (e.getKey()) {
        case "trace_level":
          change.put(e.getKey(), values.isEmpty() ? TraceSettings.Change.clear() : level(values));
          break;
        case "trace_rate":
          change.put(
              e.getKey(),
              values.isEmpty()
                  ? TraceSettings.Change.clear()
                  : new TraceSettings.Change<>(number(e.getKey(), values, 1)));
          break;
        case "trace_count":
          change.put(
              e.getKey(),
              values.isEmpty()
                  ? TraceSettings.Change.clear()
                  : new TraceSettings.Change<>(number(e.getKey(), values, -1)));
          break;
        case "trace_file":
          throw new InferenceException(
              ErrorCode.UNIMPLEMENTED,
              "trace file location can not be updated through network protocol");
        case "log_frequency":
          throw invalid(
              "'log_frequency' applies to Triton's trace files; this server exports traces with"
                  + " OpenTelemetry (trace_mode opentelemetry)");
        default:
          throw invalid(
              "unknown trace setting '"
                  + e.getKey()
                  + "'; expected trace_level, trace_rate or trace_count");
      }
    }
    if (!change.isEmpty()) {
      settings.update(model, change);
    }
    return current(model);
  }

  private TraceSettingResponse current(String model) {
    TraceSettings.Values v = settings.effective(model);
    TraceSettingResponse.Builder b = TraceSettingResponse.newBuilder();
    b.putSettings("trace_level", value(v.level().name()));
    b.putSettings("trace_rate", value(Integer.toString(v.rate())));
    b.putSettings("trace_count", value(Integer.toString(v.count())));
    b.putSettings("trace_mode", value("opentelemetry"));
    return b.build();
  }

  private static TraceSettingResponse.SettingValue value(String v) {
    return TraceSettingResponse.SettingValue.newBuilder().addValue(v).build();
  }

  /** Triton accepts several levels; TENSORS includes TIMESTAMPS here, so the highest wins. */
  private static TraceSettings.Change<TraceSettings.Level> level(List<String> values)
      throws InferenceException {
    TraceSettings.Level level = null;
    for (String s : values) {
      TraceSettings.Level l;
      switch (s) {
        case "OFF":
          if (values.size() != 1) {
            throw invalid("Expect only one trace level 'OFF' is specified");
          }
          l = TraceSettings.Level.OFF;
          break;
        case "TIMESTAMPS":
          l = TraceSettings.Level.TIMESTAMPS;
          break;
        case "TENSORS":
          l = TraceSettings.Level.TENSORS;
          break;
        default:
          throw invalid("unknown trace level '" + s + "'; expected OFF, TIMESTAMPS or TENSORS");
      }
      if (level == null || l.compareTo(level) > 0) {
        level = l;
      }
    }
    return new TraceSettings.Change<>(level);
  }

  private static int number(String name, List<String> values, int min) throws InferenceException {
    if (values.size() != 1) {
      throw invalid("expect only 1 value for '" + name + "'");
    }
    String s = values.get(0);
    int n;
    try {
      n = Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw invalid("Unable to parse '" + name + "', got: " + s);
    }
    if (n < min) {
      throw invalid("Unable to parse '" + name + "'. Expecting value >= " + min + ", got: " + s);
    }
    return n;
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
