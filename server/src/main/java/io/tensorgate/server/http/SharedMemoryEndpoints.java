package io.tensorgate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tensorgate.proto.inference.CudaSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.SystemSharedMemoryRegisterRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryStatusRequest;
import io.tensorgate.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.tensorgate.server.http.HttpExchange.HttpFailure;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;

/**
 * {@code /v2/systemsharedmemory} and {@code /v2/cudasharedmemory}: status (a JSON array of
 * regions), register (system: {@code key}, {@code offset}, {@code byte_size}; CUDA: {@code
 * raw_handle.b64}, {@code device_id}, {@code byte_size}) and unregister (one region, or all).
 */
final class SharedMemoryEndpoints {
  private final GrpcBridge bridge;

  SharedMemoryEndpoints(GrpcBridge bridge) {
    this.bridge = Objects.requireNonNull(bridge, "bridge");
  }

  void status(HttpExchange ex, String region, boolean cuda) {
    if (cuda) {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getCudaSharedMemoryStatusMethod(),
          CudaSharedMemoryStatusRequest.newBuilder().setName(region).build(),
          r -> ex.json(regions(r)));
    } else {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getSystemSharedMemoryStatusMethod(),
          SystemSharedMemoryStatusRequest.newBuilder().setName(region).build(),
          r -> ex.json(regions(r)));
    }
  }

  /** The {@code regions} map of a status response as Triton's array of region objects. */
  private static byte[] regions(MessageOrBuilder status) {
    ArrayNode out = TritonJson.MAPPER.createArrayNode();
    JsonNode regions = TritonJson.tree(status).get("regions");
    if (regions != null) {
      Iterator<JsonNode> it = regions.elements();
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return TritonJson.bytes(out);
  }

  void register(HttpExchange ex, String region, boolean cuda) {
    if (region.isEmpty()) {
      throw HttpFailure.badRequest(
          "'region name' is necessary to register "
              + (cuda ? "cuda" : "system")
              + " shared memory region");
    }
    ObjectNode body = TritonJson.readObject(ex.body());
    long byteSize = unsigned(required(body, "byte_size"), "byte_size");
    if (cuda) {
      JsonNode handle = required(body, "raw_handle");
      JsonNode b64 = handle.get("b64");
      if (b64 == null || !b64.isTextual()) {
        throw HttpFailure.badRequest("Unable to parse 'raw_handle': expected {\"b64\": string}");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(b64.textValue());
      } catch (IllegalArgumentException e) {
        throw HttpFailure.badRequest("Unable to parse 'raw_handle': not valid base64");
      }
      JsonNode device = body.get("device_id");
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getCudaSharedMemoryRegisterMethod(),
          CudaSharedMemoryRegisterRequest.newBuilder()
              .setName(region)
              .setRawHandle(ByteString.copyFrom(raw))
              .setDeviceId(device == null ? 0 : unsigned(device, "device_id"))
              .setByteSize(byteSize)
              .build(),
          r -> ex.empty(HttpResponseStatus.OK));
    } else {
      JsonNode key = required(body, "key");
      if (!key.isTextual()) {
        throw HttpFailure.badRequest("Unable to parse 'key': expected a string");
      }
      JsonNode offset = body.get("offset");
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getSystemSharedMemoryRegisterMethod(),
          SystemSharedMemoryRegisterRequest.newBuilder()
              .setName(region)
              .setKey(key.textValue())
              .setOffset(offset == null ? 0 : unsigned(offset, "offset"))
              .setByteSize(byteSize)
              .build(),
          r -> ex.empty(HttpResponseStatus.OK));
    }
  }

  void unregister(HttpExchange ex, String region, boolean cuda) {
    if (cuda) {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getCudaSharedMemoryUnregisterMethod(),
          CudaSharedMemoryUnregisterRequest.newBuilder().setName(region).build(),
          r -> ex.empty(HttpResponseStatus.OK));
    } else {
      ex.call(
          bridge,
          GRPCInferenceServiceGrpc.getSystemSharedMemoryUnregisterMethod(),
          SystemSharedMemoryUnregisterRequest.newBuilder().setName(region).build(),
          r -> ex.empty(HttpResponseStatus.OK));
    }
  }

  private static JsonNode required(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null) {
      throw HttpFailure.badRequest("Shared memory register request has no '" + field + "' field");
    }
    return v;
  }

  private static long unsigned(JsonNode v, String field) {
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw HttpFailure.badRequest("Unable to parse '" + field + "': expected an unsigned integer");
    }
    return v.longValue();
  }
}
