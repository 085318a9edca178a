package io.tensorgate.server.grpc;

import io.tensorgate.backend.InferenceException;
import io.tensorgate.backend.Shapes;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.ModelConfigResponse;
import io.tensorgate.proto.inference.ModelMetadataResponse;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelIo;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.Objects;

/** ModelReady, ModelMetadata and ModelConfig, answered from the registry snapshot. */
final class MetadataRpc {
  private final ModelRegistry registry;

  MetadataRpc(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Whether every loaded version can run requests (none lost all its instances). */
  boolean isReady(String name, String version) {
    try {
      return registry.resolve(name, version).isServing();
    } catch (InferenceException e) {
      return false;
    }
  }

  ModelMetadataResponse metadata(String name, String version) throws InferenceException {
    LoadedVersion v = registry.resolve(name, version);
    ModelMetadataResponse.Builder b =
        ModelMetadataResponse.newBuilder().setName(v.name()).setPlatform(v.config().getPlatform());
    ModelRegistry.ServedModel served = registry.get(name);
    if (served != null) {
      served.ready().keySet().forEach(n -> b.addVersions(Long.toString(n)));
    }
    ModelIo io = v.io();
    for (int i = 0; i < io.inputCount(); i++) {
      b.addInputs(tensor(io.input(i), io.batching()));
    }
    for (int i = 0; i < io.outputCount(); i++) {
      b.addOutputs(tensor(io.output(i), io.batching()));
    }
    return b.build();
  }

  ModelConfigResponse config(String name, String version) throws InferenceException {
    return ModelConfigResponse.newBuilder()
        .setConfig(registry.resolve(name, version).config())
        .build();
  }

  private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec t, boolean batching) {
    ModelMetadataResponse.TensorMetadata.Builder b =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.name())
            .setDatatype(t.dataType().wireName());
    for (long d : batching ? Shapes.prepend(-1, t.shape()) : t.shape()) {
      b.addShape(d);
    }
    return b.build();
  }
}
