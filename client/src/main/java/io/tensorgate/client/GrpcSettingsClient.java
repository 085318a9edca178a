package io.tensorgate.client;

import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link SettingsClient} over the TraceSetting and LogSettings calls. */
final class GrpcSettingsClient implements SettingsClient {
  private final Calls calls;

  GrpcSettingsClient(Calls calls) {
    this.calls = calls;
  }

  private GRPCInferenceServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(GRPCInferenceServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public Map<String, List<String>> traceSettings() {
    return traceSettings("");
  }

  @Override
  public Map<String, List<String>> traceSettings(String model) {
    return updateTraceSettings(model, Map.of());
  }

  @Override
  public Map<String, List<String>> updateTraceSettings(
      String model, Map<String, List<String>> settings) {
    TraceSettingRequest.Builder r = TraceSettingRequest.newBuilder().setModelName(model);
    settings.forEach(
        (k, v) ->
            r.putSettings(k, TraceSettingRequest.SettingValue.newBuilder().addAllValue(v).build()));
    TraceSettingResponse response = Calls.call(() -> blocking().traceSetting(r.build()));
    Map<String, List<String>> out = new LinkedHashMap<>();
    response.getSettingsMap().forEach((k, v) -> out.put(k, List.copyOf(v.getValueList())));
    return out;
  }

  @Override
  public Map<String, Object> logSettings() {
    return updateLogSettings(Map.of());
  }

  @Override
  public Map<String, Object> updateLogSettings(Map<String, Object> settings) {
    LogSettingsRequest.Builder r = LogSettingsRequest.newBuilder();
    settings.forEach((k, v) -> r.putSettings(k, value(k, v)));
    LogSettingsResponse response = Calls.call(() -> blocking().logSettings(r.build()));
    Map<String, Object> out = new LinkedHashMap<>();
    response
        .getSettingsMap()
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    switch (v.getParameterChoiceCase()) {
                      case BOOL_PARAM -> v.getBoolParam();
                      case UINT32_PARAM -> v.getUint32Param();
                      case STRING_PARAM -> v.getStringParam();
                      default -> "";
                    }));
    return out;
  }

  private static LogSettingsRequest.SettingValue value(String key, Object v) {
    LogSettingsRequest.SettingValue.Builder b = LogSettingsRequest.SettingValue.newBuilder();
    Objects.requireNonNull(v, key);
    if (v instanceof Boolean bool) {
      return b.setBoolParam(bool).build();
    }
    if (v instanceof Integer || v instanceof Long) {
      long n = ((Number) v).longValue();
      if (n < 0 || n > 0xffffffffL) {
        throw new IllegalArgumentException("log setting '" + key + "' must fit a uint32");
      }
      return b.setUint32Param((int) n).build();
    }
    if (v instanceof String s) {
      return b.setStringParam(s).build();
    }
    throw new IllegalArgumentException(
        "log setting '" + key + "' must be a Boolean, Integer or String");
  }
}
