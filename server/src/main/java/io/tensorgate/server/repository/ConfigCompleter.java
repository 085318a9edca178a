package io.tensorgate.server.repository;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelDynamicBatching;
import io.tensorgate.proto.inference.ModelInput;
import io.tensorgate.proto.inference.ModelInstanceGroup;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.proto.inference.ModelVersionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Fills in what a config leaves out, as Triton does: name, platform and backend, default model
 * file, inputs and outputs from the model file (and the batch dimension when every tensor has a
 * variable first dimension), instance groups and the version policy.
 */
final class ConfigCompleter {
  /** Triton's default instance count for CPU instance groups of ONNX Runtime models. */
  static final int DEFAULT_CPU_INSTANCES = 2;

  private final BackendRegistry backends;
  private final RepositorySettings settings;

  ConfigCompleter(BackendRegistry backends) {
    this(backends, RepositorySettings.DEFAULTS);
  }

  /**
   * @param settings whether inputs, outputs and batching are completed from the model file, and the
   *     {@code max_batch_size} that completion picks
   */
  ConfigCompleter(BackendRegistry backends, RepositorySettings settings) {
    this.backends = Objects.requireNonNull(backends, "backends");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** A completed config and the backend that serves it. */
  record Completed(ModelConfig config, BackendProvider provider) {}

  /**
   * Completes {@code raw} for the model in {@code modelDir}.
   *
   * @param versionDirs the model's version folders, used to find a model file to inspect
   */
  Completed complete(String name, ModelConfig raw, Path modelDir, Map<Long, Path> versionDirs)
      throws ConfigException {
    ModelConfig.Builder b = raw.toBuilder();
    if (b.getName().isEmpty()) {
      b.setName(name);
    } else if (!b.getName().equals(name)) {
      throw new ConfigException(
          "model configuration names the model '"
              + b.getName()
              + "', but its folder is '"
              + name
              + "'");
    }

    BackendProvider provider = findProvider(b, versionDirs);
    if (b.getBackend().isEmpty()) {
      b.setBackend(provider.name());
    }
    if (b.getPlatform().isEmpty()) {
      b.setPlatform(provider.platforms().stream().sorted().findFirst().orElse(""));
    }
    if (b.getDefaultModelFilename().isEmpty()) {
      b.setDefaultModelFilename(provider.defaultModelFilename());
    }
    if (b.getInputCount() == 0 || b.getOutputCount() == 0) {
      if (!settings.autoCompleteConfig()) {
        throw new ConfigException(
            "the configuration lists no "
                + (b.getInputCount() == 0 ? "inputs" : "outputs")
                + ", and auto-completion from the model file is disabled"
                + " (--disable-auto-complete-config)");
      }
      autoCompleteIo(b, provider, versionDirs, settings.defaultMaxBatchSize(provider.name()));
    }
    if (!b.hasVersionPolicy()) {
      b.setVersionPolicy(
          ModelVersionPolicy.newBuilder()
              .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(1)));
    } else if (b.getVersionPolicy().hasLatest()
        && b.getVersionPolicy().getLatest().getNumVersions() == 0) {
      b.getVersionPolicyBuilder().getLatestBuilder().setNumVersions(1);
    }
    completeInstanceGroups(b, provider);
    if (b.hasSequenceBatching() && b.getSequenceBatching().getMaxSequenceIdleMicroseconds() == 0) {
      b.getSequenceBatchingBuilder().setMaxSequenceIdleMicroseconds(1_000_000);
    }
    return new Completed(b.build(), provider);
  }

  private BackendProvider findProvider(ModelConfig.Builder b, Map<Long, Path> versionDirs)
      throws ConfigException {
    if (!b.getBackend().isEmpty() || !b.getPlatform().isEmpty()) {
      return backends
          .find(b.getBackend(), b.getPlatform())
          .orElseThrow(
              () ->
                  new ConfigException(
                      "no backend serves "
                          + (b.getBackend().isEmpty()
                              ? "platform '" + b.getPlatform() + "'"
                              : "backend '" + b.getBackend() + "'")
                          + "; available backends: "
                          + backends.providers().stream().map(BackendProvider::name).toList()));
    }
    // Neither is named: pick the backend whose default model file is present, as Triton does.
    for (BackendProvider p : backends.providers()) {
      for (Path dir : versionDirs.values()) {
        if (Files.exists(dir.resolve(p.defaultModelFilename()))) {
          return p;
        }
      }
    }
    throw new ConfigException(
        "unable to find a backend for the model: the configuration names neither 'backend' nor"
            + " 'platform' and no version folder holds a model file a backend recognizes");
  }

  /** Whether a file, links followed, lies inside the folder, itself links followed. */
  private static boolean realInside(Path file, Path dir) {
    try {
      return file.toRealPath().startsWith(dir.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static void autoCompleteIo(
      ModelConfig.Builder b,
      BackendProvider provider,
      Map<Long, Path> versionDirs,
      int defaultMaxBatchSize)
      throws ConfigException {
    Path file = null;
    for (Path dir : versionDirs.values()) {
      Path candidate = dir.resolve(b.getDefaultModelFilename()).normalize();
      if (candidate.startsWith(dir) && Files.exists(candidate) && realInside(candidate, dir)) {
        file = candidate;
      }
    }
    if (file == null) {
      throw new ConfigException(
          "the configuration has no "
              + (b.getInputCount() == 0 ? "inputs" : "outputs")
              + " and no model file '"
              + b.getDefaultModelFilename()
              + "' was found to auto-complete them from");
    }
    ModelSignature sig;
    try {
      sig = provider.inspect(file);
    } catch (BackendException e) {
      throw new ConfigException("unable to auto-complete the configuration: " + e.getMessage(), e);
    }
    boolean autoBatch =
        defaultMaxBatchSize > 0
            && b.getMaxBatchSize() == 0
            && b.getInputCount() == 0
            && b.getOutputCount() == 0
            && allVariableFirstDim(sig.inputs())
            && allVariableFirstDim(sig.outputs());
    if (autoBatch) {
      b.setMaxBatchSize(defaultMaxBatchSize);
      if (b.getSchedulingChoiceCase()
          == ModelConfig.SchedulingChoiceCase.SCHEDULINGCHOICE_NOT_SET) {
        b.setDynamicBatching(ModelDynamicBatching.getDefaultInstance());
      }
    }
    int skip = b.getMaxBatchSize() > 0 ? 1 : 0;
    if (b.getInputCount() == 0) {
      for (TensorSpec t : sig.inputs()) {
        ModelInput.Builder in =
            ModelInput.newBuilder().setName(t.name()).setDataType(DataTypes.toConfig(t.dataType()));
        for (int i = skip; i < t.rank(); i++) {
          in.addDims(t.dim(i));
        }
        b.addInput(in);
      }
    }
    if (b.getOutputCount() == 0) {
      for (TensorSpec t : sig.outputs()) {
        ModelOutput.Builder out =
            ModelOutput.newBuilder()
                .setName(t.name())
                .setDataType(DataTypes.toConfig(t.dataType()));
        for (int i = skip; i < t.rank(); i++) {
          out.addDims(t.dim(i));
        }
        b.addOutput(out);
      }
    }
  }

  private static boolean allVariableFirstDim(List<TensorSpec> specs) {
    for (TensorSpec t : specs) {
      if (t.rank() < 2 || t.dim(0) != -1) {
        return false;
      }
    }
    return !specs.isEmpty();
  }

  private static void completeInstanceGroups(ModelConfig.Builder b, BackendProvider provider) {
    boolean gpuBackend = provider.platforms().contains("tensorrt_plan");
    if (b.getInstanceGroupCount() == 0) {
      b.addInstanceGroup(
          ModelInstanceGroup.newBuilder()
              .setName(b.getName())
              .setKind(
                  gpuBackend ? ModelInstanceGroup.Kind.KIND_GPU : ModelInstanceGroup.Kind.KIND_CPU)
              .setCount(gpuBackend ? 1 : DEFAULT_CPU_INSTANCES));
      return;
    }
    for (int i = 0; i < b.getInstanceGroupCount(); i++) {
      ModelInstanceGroup.Builder g = b.getInstanceGroupBuilder(i);
      if (g.getName().isEmpty()) {
        g.setName(b.getName() + "_" + i);
      }
      if (g.getKind() == ModelInstanceGroup.Kind.KIND_AUTO) {
        g.setKind(gpuBackend ? ModelInstanceGroup.Kind.KIND_GPU : ModelInstanceGroup.Kind.KIND_CPU);
      }
      if (g.getCount() == 0) {
        g.setCount(1);
      }
    }
  }
}
