package io.tensorgate.client;

import java.util.List;
import java.util.Map;

/** Trace and log settings (Triton's TraceSetting and LogSettings calls). */
public interface SettingsClient {
  /** The global trace settings, e.g. {@code trace_level=[OFF]}, {@code trace_rate=[1000]}. */
  Map<String, List<String>> traceSettings();

  /** A model's trace settings ({@code ""} for the global ones). */
  Map<String, List<String>> traceSettings(String model);

  /**
   * Changes trace settings of a model ({@code ""} for the global ones) and returns them all; a key
   * with an empty list goes back to the global (or default) value.
   */
  Map<String, List<String>> updateTraceSettings(String model, Map<String, List<String>> settings);

  /** The log settings; values are Boolean, Integer or String as the server sent them. */
  Map<String, Object> logSettings();

  /**
   * Changes log settings (values Boolean, Integer or String, e.g. {@code log_verbose_level=1},
   * {@code log_format="json"}) and returns them all.
   */
  Map<String, Object> updateLogSettings(Map<String, Object> settings);
}
