package io.tensorgate.client;

import com.google.protobuf.ByteString;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc;
import io.tensorgate.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.tensorgate.proto.inference.ModelRepositoryParameter;
import io.tensorgate.proto.inference.RepositoryIndexRequest;
import io.tensorgate.proto.inference.RepositoryIndexResponse.ModelIndex;
import io.tensorgate.proto.inference.RepositoryModelLoadRequest;
import io.tensorgate.proto.inference.RepositoryModelUnloadRequest;
import java.util.List;
import java.util.Map;

/** {@link ModelRepositoryClient} over the inference service's repository calls. */
final class GrpcModelRepositoryClient implements ModelRepositoryClient {
  private final Calls calls;

  GrpcModelRepositoryClient(Calls calls) {
    this.calls = calls;
  }

  private GRPCInferenceServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(GRPCInferenceServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public List<ModelIndex> index() {
    return index(false);
  }

  @Override
  public List<ModelIndex> index(boolean readyOnly) {
    RepositoryIndexRequest r = RepositoryIndexRequest.newBuilder().setReady(readyOnly).build();
    return Calls.call(() -> blocking().repositoryIndex(r).getModelsList());
  }

  @Override
  public void load(String model) {
    load(model, null, Map.of());
  }

  @Override
  public void load(String model, String configJson) {
    load(model, configJson, Map.of());
  }

  @Override
  public void load(String model, String configJson, Map<String, byte[]> files) {
    if (!files.isEmpty() && configJson == null) {
      throw new IllegalArgumentException("model files need a configuration (configJson)");
    }
    RepositoryModelLoadRequest.Builder r = RepositoryModelLoadRequest.newBuilder();
    r.setModelName(model);
    if (configJson != null) {
      r.putParameters(
          "config", ModelRepositoryParameter.newBuilder().setStringParam(configJson).build());
    }
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      r.putParameters(
          "file:" + f.getKey(),
          ModelRepositoryParameter.newBuilder()
              .setBytesParam(ByteString.copyFrom(f.getValue()))
              .build());
    }
    Calls.call(() -> blocking().repositoryModelLoad(r.build()));
  }

  @Override
  public void unload(String model) {
    unload(model, false);
  }

  @Override
  public void unload(String model, boolean unloadDependents) {
    RepositoryModelUnloadRequest.Builder r = RepositoryModelUnloadRequest.newBuilder();
    r.setModelName(model);
    if (unloadDependents) {
      r.putParameters(
          "unload_dependents", ModelRepositoryParameter.newBuilder().setBoolParam(true).build());
    }
    Calls.call(() -> blocking().repositoryModelUnload(r.build()));
  }
}
