package io.tensorgate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.LogSettingsRequest;
import io.tensorgate.proto.inference.LogSettingsResponse;
import io.tensorgate.proto.inference.ModelConfigRequest;
import io.tensorgate.proto.inference.ModelMetadataRequest;
import io.tensorgate.proto.inference.ModelReadyRequest;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.proto.inference.ServerLiveRequest;
import io.tensorgate.proto.inference.ServerMetadataRequest;
import io.tensorgate.proto.inference.ServerReadyRequest;
import io.tensorgate.proto.inference.TraceSettingRequest;
import io.tensorgate.proto.inference.TraceSettingResponse;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Health, metadata, configuration, statistics, repository, trace and log endpoints: each reads
 * Triton's JSON request, makes the matching gRPC call, and writes Triton's JSON answer.
 */
final class ServerEndpoints {
  private final GrpcBridge bridge;

  ServerEndpoints(GrpcBridge bridge) {
    this.bridge = Objects.requireNonNull(bridge, "bridge");
  }

  /** 200 when live (ready), 400 when not, with no body, as Triton answers. */
  void health(HttpExchange ex, boolean live) {
    if (live) {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getServerLiveMethod(),
          ServerLiveRequest.getDefaultInstance(),
          r -> ex.empty(r.getLive() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST));
    } else {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getServerReadyMethod(),
          ServerReadyRequest.getDefaultInstance(),
          r -> ex.empty(r.getReady() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST));
    }
  }

  void serverMetadata(HttpExchange ex) {
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getServerMetadataMethod(),
        ServerMetadataRequest.getDefaultInstance(),
        r -> ex.json(TritonJson.print(r)));
  }

  void modelReady(HttpExchange ex, String model, String version) {
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getModelReadyMethod(),
        ModelReadyRequest.newBuilder().setName(model).setVersion(version).build(),
        r -> {
          if (r.getReady()) {
            ex.empty(HttpResponseStatus.OK);
          } else {
            ex.fail(HttpResponseStatus.BAD_REQUEST, "Model version not ready");
          }
        });
  }

  void modelMetadata(HttpExchange ex, String model, String version) {
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getModelMetadataMethod(),
        ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build(),
        r -> ex.json(TritonJson.print(r)));
  }

  /** The configuration itself, not wrapped in a response object (Triton's HTTP shape). */
  void modelConfig(HttpExchange ex, String model, String version) {
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getModelConfigMethod(),
        ModelConfigRequest.newBuilder().setName(model).setVersion(version).build(),
        r -> ex.json(TritonJson.print(r.getConfig())));
  }

  void statistics(HttpExchange ex, String model, String version) {
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getModelStatisticsMethod(),
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build(),
        r -> ex.json(TritonJson.print(r)));
  }

  /** The index as Triton's HTTP gives it: a JSON array of the models. */
  void repositoryIndex(HttpExchange ex, String repository) {
    ObjectNode body = TritonJson.readObject(ex.body());
    JsonNode ready = body.get("ready");
    if (ready != null && !ready.isBoolean()) {
      throw HttpFailure.badRequest("Invalid value for 'ready': expected a boolean");
    }
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getRepositoryIndexMethod(),
        RepositoryIndexRequest.newBuilder()
            .setRepositoryName(repository)
            .setReady(ready != null && ready.booleanValue())
            .build(),
        r -> {
          JsonNode models = TritonJson.tree(r).get("models");
          ex.json(TritonJson.bytes(models != null ? models : TritonJson.MAPPER.createArrayNode()));
        });
  }

  /**
   * Load ({@code parameters}: {@code config} as a JSON string, {@code file:<path>} as base64) or
   * unload ({@code parameters.unload_dependents}); the answer is an empty 200.
   */
  void repositoryControl(HttpExchange ex, String repository, String model, boolean load) {
    if (!repository.isEmpty()) {
      throw new HttpFailure(
          HttpResponseStatus.NOT_IMPLEMENTED, "'repository_name' specification is not supported");
    }
    ObjectNode body = TritonJson.readObject(ex.body());
    JsonNode params = body.get("parameters");
    if (params != null && !params.isObject()) {
      throw HttpFailure.badRequest("Unable to parse 'parameters': expected an object");
    }
    if (load) {
      RepositoryModelLoadRequest.Builder b = RepositoryModelLoadRequest.newBuilder();
      b.setModelName(model);
      if (params != null) {
        for (Map.Entry<String, JsonNode> e : params.properties()) {
          b.putParameters(e.getKey(), loadParameter(e.getKey(), e.getValue()));
        }
      }
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod(),
          b.build(),
          r -> ex.empty(HttpResponseStatus.OK));
    } else {
      RepositoryModelUnloadRequest.Builder b = RepositoryModelUnloadRequest.newBuilder();
      b.setModelName(model);
      JsonNode dependents = params == null ? null : params.get("unload_dependents");
      if (dependents != null) {
        if (!dependents.isBoolean()) {
          throw HttpFailure.badRequest("Unable to parse 'unload_dependents': expected a boolean");
        }
        b.putParameters(
            "unload_dependents",
            ModelRepositoryParameter.newBuilder().setBoolParam(dependents.booleanValue()).build());
      }
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(),
          b.build(),
          r -> ex.empty(HttpResponseStatus.OK));
    }
  }

  private static ModelRepositoryParameter loadParameter(String key, JsonNode v) {
    ModelRepositoryParameter.Builder p = ModelRepositoryParameter.newBuilder();
    if (!v.isTextual()) {
      throw HttpFailure.badRequest("Unable to parse '" + key + "': expected a string");
    }
    if (key.startsWith("file:")) {
      try {
        p.setBytesParam(ByteString.copyFrom(Base64.getDecoder().decode(v.textValue())));
      } catch (IllegalArgumentException e) {
        throw HttpFailure.badRequest("Unable to parse '" + key + "': not valid base64");
      }
    } else {
      p.setStringParam(v.textValue());
    }
    return p.build();
  }

  /**
   * GET reads, POST updates: {@code trace_level} as an array of strings, the others as strings,
   * {@code null} clears a model's setting back to the global one.
   */
  void trace(HttpExchange ex, String model) {
    TraceSettingRequest.Builder b = TraceSettingRequest.newBuilder().setModelName(model);
    if (ex.method().equals(HttpMethod.POST)) {
      ObjectNode body = TritonJson.readObject(ex.body());
      for (Map.Entry<String, JsonNode> e : body.properties()) {
        TraceSettingRequest.SettingValue.Builder v = TraceSettingRequest.SettingValue.newBuilder();
        JsonNode value = e.getValue();
        if (value.isArray()) {
          for (JsonNode item : value) {
            v.addValue(scalar(e.getKey(), item));
          }
        } else if (!value.isNull()) {
          v.addValue(scalar(e.getKey(), value));
        }
        b.putSettings(e.getKey(), v.build());
      }
    }
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getTraceSettingMethod(),
        b.build(),
        r -> ex.json(TritonJson.bytes(traceJson(r))));
  }

  private static String scalar(String key, JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isNumber() || v.isBoolean()) {
      return v.asText();
    }
    throw HttpFailure.badRequest("Unable to parse '" + key + "': expected a string");
  }

  private static ObjectNode traceJson(TraceSettingResponse r) {
    ObjectNode out = TritonJson.MAPPER.createObjectNode();
    for (Map.Entry<String, TraceSettingResponse.SettingValue> e : r.getSettingsMap().entrySet()) {
      List<String> values = e.getValue().getValueList();
      if (e.getKey().equals("trace_level")) {
        ArrayNode a = out.putArray("trace_level");
        values.forEach(a::add);
      } else if (values.size() == 1) {
        out.put(e.getKey(), values.get(0));
      } else {
        ArrayNode a = out.putArray(e.getKey());
        values.forEach(a::add);
      }
    }
    return out;
  }

  /** GET reads, POST updates; values are booleans, unsigned integers or strings. */
  void logging(HttpExchange ex) {
    LogSettingsRequest.Builder b = LogSettingsRequest.newBuilder();
    if (ex.method().equals(HttpMethod.POST)) {
      ObjectNode body = TritonJson.readObject(ex.body());
      for (Map.Entry<String, JsonNode> e : body.properties()) {
        JsonNode v = e.getValue();
        LogSettingsRequest.SettingValue.Builder s = LogSettingsRequest.SettingValue.newBuilder();
        if (v.isNull()) {
          continue;
        } else if (v.isBoolean()) {
          s.setBoolParam(v.booleanValue());
        } else if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0) {
          if (v.longValue() > 0xffffffffL) {
            throw HttpFailure.badRequest("Unable to parse '" + e.getKey() + "': out of range");
          }
          s.setUint32Param((int) v.longValue());
        } else if (v.isTextual()) {
          s.setStringParam(v.textValue());
        } else {
          throw HttpFailure.badRequest(
              "Unable to parse '" + e.getKey() + "': expected a boolean, number or string");
        }
        b.putSettings(e.getKey(), s.build());
      }
    }
    ex.call(
        bridge,
        GRPCInferenceServiceGrpc.getLogSettingsMethod(),
        b.build(),
        r -> ex.json(TritonJson.bytes(logJson(r))));
  }

  private static ObjectNode logJson(LogSettingsResponse r) {
    ObjectNode out = TritonJson.MAPPER.createObjectNode();
    for (Map.Entry<String, LogSettingsResponse.SettingValue> e : r.getSettingsMap().entrySet()) {
      LogSettingsResponse.SettingValue v = e.getValue();
      switch (v.getParameterChoiceCase()) {
        case BOOL_PARAM:
          out.put(e.getKey(), v.getBoolParam());
          break;
        case UINT32_PARAM:
          out.put(e.getKey(), Integer.toUnsignedLong(v.getUint32Param()));
          break;
        case STRING_PARAM:
          out.put(e.getKey(), v.getStringParam());
          break;
        default:
          break;
      }
    }
    return out;
  }
}
