package io.tensorgate.server.grpc;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import io.tensorgate.server.repository.ModelRepositoryManager;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload. Load and unload block. */
final class RepositoryRpc {
  private static final String FILE_PREFIX = "file:";

  private final ModelRepositoryManager manager;

  RepositoryRpc(ModelRepositoryManager manager) {
    this.manager = Objects.requireNonNull(manager, "manager");
  }

  RepositoryIndexResponse index(RepositoryIndexRequest req) throws InferenceException {
    checkRepositoryName(req.getRepositoryName());
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    try {
      for (ModelRepositoryManager.IndexEntry e : manager.index(req.getReady())) {
        b.addModelsBuilder()
            .setName(e.name())
            .setVersion(e.version())
            .setState(e.state())
            .setReason(e.reason());
      }
    } catch (IOException e) {
      throw new InferenceException(
          ErrorCode.UNAVAILABLE, "failed to read the model repository: " + e.getMessage());
    }
    return b.build();
  }

  void load(RepositoryModelLoadRequest req) throws InferenceException {
    checkRepositoryName(req.getRepositoryName());
    String config = null;
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (Map.Entry<String, ModelRepositoryParameter> e : req.getParametersMap().entrySet()) {
      String key = e.getKey();
      ModelRepositoryParameter p = e.getValue();
      if (key.equals("config") && p.hasStringParam()) {
        config = p.getStringParam();
      } else if (key.startsWith(FILE_PREFIX) && p.hasBytesParam()) {
        files.put(key.substring(FILE_PREFIX.length()), p.getBytesParam().toByteArray());
      } else {
        throw new InferenceException(
            ErrorCode.INVALID_ARGUMENT,
            "Unrecognized load parameter '" + key + "' with type '" + typeName(p) + "'");
      }
    }
    manager.loadRequested(req.getModelName(), config, files);
  }

  void unload(RepositoryModelUnloadRequest req) throws InferenceException {
    checkRepositoryName(req.getRepositoryName());
    for (Map.Entry<String, ModelRepositoryParameter> e : req.getParametersMap().entrySet()) {
      if (!e.getKey().equals("unload_dependents") || !e.getValue().hasBoolParam()) {
        throw new InferenceException(
            ErrorCode.INVALID_ARGUMENT,
            "Unrecognized unload parameter '"
                + e.getKey()
                + "' with type '"
                + typeName(e.getValue())
                + "'");
      }
    }
    // No ensembles: a model has no dependents, so unload_dependents changes nothing.
    manager.unloadRequested(req.getModelName());
  }

  private static void checkRepositoryName(String name) throws InferenceException {
    if (!name.isEmpty()) {
      throw new InferenceException(
          ErrorCode.UNIMPLEMENTED,
          "this server serves one model repository; leave repository_name empty (got '"
              + name
              + "')");
    }
  }

  private static String typeName(ModelRepositoryParameter p) {
    switch (p.getParameterChoiceCase()) {
      case BOOL_PARAM:
        return "BOOL";
      case INT64_PARAM:
        return "INT";
      case STRING_PARAM:
        return "STRING";
      case BYTES_PARAM:
        return "BYTES";
      default:
        return "UNSET";
    }
  }
}
