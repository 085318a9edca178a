package io.tensorgate.server.grpc;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.server.logging.LogControl;
import java.util.Map;
import java.util.Objects;

/**
 * LogSettings: reads Triton's six log settings and updates all but {@code log_file}, which only the
 * {@code --log-file} flag sets (Triton refuses it the same way since 2024: a client must not choose
 * a file the server writes). A request that names {@code log_file} changes nothing.
 */
final class LogSettingsRpc {
  private final LogControl control;

  LogSettingsRpc(LogControl control) {
    this.control = Objects.requireNonNull(control, "control");
  }

  LogSettingsResponse update(LogSettingsRequest req) throws InferenceException {
    if (req.containsSettings("log_file")) {
      throw new InferenceException(
          ErrorCode.UNIMPLEMENTED, "log file location can not be updated through network protocol");
    }
    LogControl.Settings s = control.settings();
    boolean info = s.info();
    boolean warning = s.warning();
    boolean error = s.error();
    int verbose = s.verboseLevel();
    String format = s.format();
    for (Map.Entry<String, LogSettingsRequest.SettingValue> e : req.getSettingsMap().entrySet()) {
      LogSettingsRequest.SettingValue v = e.getValue();
      switch (e.getKey()) {
        case "log_info":
          info = bool(e.getKey(), v);
          break;
        case "log_warning":
          warning = bool(e.getKey(), v);
          break;
        case "log_error":
          error = bool(e.getKey(), v);
          break;
        case "log_verbose_level":
          if (!v.hasUint32Param()) {
            throw invalid("expect int32 for '" + e.getKey() + "'");
          }
          verbose = v.getUint32Param();
          break;
        case "log_format":
          format = string(e.getKey(), v);
          if (!format.equals("default") && !format.equals("ISO8601") && !format.equals("json")) {
            throw invalid("invalid argument for log_format, got: " + format);
          }
          break;
        default:
          throw invalid("Unrecognized log setting '" + e.getKey() + "'");
      }
    }
    if (!req.getSettingsMap().isEmpty()) {
      try {
        control.update(new LogControl.Settings(s.file(), info, warning, error, verbose, format));
      } catch (IllegalArgumentException ex) {
        throw invalid(ex.getMessage());
      }
    }
    return current();
  }

  private LogSettingsResponse current() {
    LogControl.Settings s = control.settings();
    LogSettingsResponse.Builder b = LogSettingsResponse.newBuilder();
    b.putSettings(
        "log_file", LogSettingsResponse.SettingValue.newBuilder().setStringParam(s.file()).build());
    b.putSettings(
        "log_info", LogSettingsResponse.SettingValue.newBuilder().setBoolParam(s.info()).build());
    b.putSettings(
        "log_warning",
        LogSettingsResponse.SettingValue.newBuilder().setBoolParam(s.warning()).build());
    b.putSettings(
        "log_error", LogSettingsResponse.SettingValue.newBuilder().setBoolParam(s.error()).build());
    b.putSettings(
        "log_verbose_level",
        LogSettingsResponse.SettingValue.newBuilder().setUint32Param(s.verboseLevel()).build());
    b.putSettings(
        "log_format",
        LogSettingsResponse.SettingValue.newBuilder().setStringParam(s.format()).build());
    return b.build();
  }

  private static String string(String key, LogSettingsRequest.SettingValue v)
      throws InferenceException {
    if (!v.hasStringParam()) {
      throw invalid("expect string for '" + key + "'");
    }
    return v.getStringParam();
  }

  private static boolean bool(String key, LogSettingsRequest.SettingValue v)
      throws InferenceException {
    if (!v.hasBoolParam()) {
      throw invalid("expect boolean for '" + key + "'");
    }
    return v.getBoolParam();
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
