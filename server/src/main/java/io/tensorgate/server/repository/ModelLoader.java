package io.tensorgate.server.repository;

import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.BackendProvider;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.backend.TensorSpec;
import io.tensorgate.batching.InstanceSupervisor;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.batching.SchedulerConfig;
import io.tensorgate.batching.Schedulers;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.proto.inference.ModelInstanceGroup;
import io.tensorgate.proto.inference.ModelOutput;
import io.tensorgate.server.provenance.Provenance;
import io.tensorgate.server.stats.ModelStats;
import io.tensorgate.server.stats.StatsSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;

/**
 * Turns a completed config and a version folder into a {@link LoadedVersion}: loads the model
 * through its backend, creates the instances, starts the scheduler and runs the warm-up. On any
 * failure everything created so far is closed again.
 */
final class ModelLoader {
  /** Label files larger than this are refused. */
  static final long MAX_LABEL_BYTES = 16L << 20;

  private final RepositoryLayout layout;
  private final IntSupplier gpuCount;
  private final Duration executionTimeout;
  private final Duration maxQueueWait;
  private final boolean measureCpu;
  private final Executor closer;

  /**
   * @param gpuCount the CUDA devices of this host (0 without CUDA), where KIND_GPU groups that name
   *     no {@code gpus} place their instances, as in Triton
   * @param maxQueueWait the longest predicted queue wait admitted; {@link Duration#ZERO}: no limit
   * @param measureCpu whether the version's cost counts its instance threads' CPU time
   * @param closer where the versions it loads close once retired (closing blocks)
   */
  ModelLoader(
      RepositoryLayout layout,
      IntSupplier gpuCount,
      Duration executionTimeout,
      Duration maxQueueWait,
      boolean measureCpu,
      Executor closer) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.gpuCount = Objects.requireNonNull(gpuCount, "gpuCount");
    this.executionTimeout = Objects.requireNonNull(executionTimeout, "executionTimeout");
    this.maxQueueWait = Objects.requireNonNull(maxQueueWait, "maxQueueWait");
    this.measureCpu = measureCpu;
    this.closer = Objects.requireNonNull(closer, "closer");
  }

  /**
   * @param previous the version this one replaces (a reload), or {@code null}: its statistics go
   *     on, the RPC's from zero unless the model itself is unchanged (see {@link
   *     LoadedVersion#statistics})
   * @param provenance what the verifier found the version's files to be
   */
  LoadedVersion load(
      ModelConfig config,
      BackendProvider provider,
      Path modelDir,
      long version,
      Path versionDir,
      LoadedVersion previous,
      Provenance provenance)
      throws LoadException {
    BackendProvider.Availability availability = provider.availability();
    if (!availability.available()) {
      throw new LoadException(availability.reason());
    }
    Path modelFile;
    ModelIo io;
    try {
      modelFile =
          layout.resolveInside(
              versionDir, config.getDefaultModelFilename(), "default_model_filename");
      io = modelIo(config, modelDir);
    } catch (io.tensorgate.backend.InferenceException e) {
      throw new LoadException(e.getMessage());
    }
    if (!Files.exists(modelFile)) {
      throw new LoadException("model file '" + modelDir.relativize(modelFile) + "' does not exist");
    }
    Map<String, String> params = new TreeMap<>();
    config.getParametersMap().forEach((k, v) -> params.put(k, v.getStringValue()));
    ModelDefinition def =
        new ModelDefinition(
            config.getName(),
            version,
            config.getPlatform(),
            versionDir,
            modelFile,
            config.getMaxBatchSize(),
            SchedulerConfigs.backendInputSpecs(config),
            SchedulerConfigs.backendOutputSpecs(config),
            params);

    Model model;
    try {
      model = provider.load(def);
    } catch (BackendException | RuntimeException e) {
      throw new LoadException(e.getMessage(), e);
    }
    List<ModelInstance> instances = new CopyOnWriteArrayList<>();
    Scheduler scheduler = null;
    try {
      for (ModelInstanceGroup g : config.getInstanceGroupList()) {
        for (InstancePlacement p : placements(g, gpuCount.getAsInt())) {
          instances.add(model.newInstance(p));
        }
      }
      ModelWarmup.run(config, layout, modelDir, instances);
      long files = Fingerprints.ofVersion(modelDir, versionDir);
      ModelStats stats = previous == null ? new ModelStats() : previous.stats();
      StatsSnapshot baseline =
          previous == null
              ? StatsSnapshot.EMPTY
              : previous.sameModel(config, files) ? previous.statsBaseline() : stats.snapshot();
      SchedulerConfig schedulerConfig =
          SchedulerConfigs.from(
              config, version, executionTimeout.toNanos(), maxQueueWait.toNanos());
      scheduler =
          Schedulers.create(schedulerConfig, instances, stats, replaceInstances(model, instances));
      if (measureCpu) {
        stats.cost().addCpuSource(scheduler.workerCpuTime());
      }
      return new LoadedVersion(
          config,
          version,
          io,
          model,
          instances,
          scheduler,
          stats,
          baseline,
          files,
          modelDir,
          provenance,
          closer);
    } catch (BackendException | LoadException | RuntimeException e) {
      if (scheduler != null) {
        scheduler.close();
      }
      instances.forEach(ModelInstance::close);
      model.close();
      throw e instanceof LoadException le ? le : new LoadException(e.getMessage(), e);
    }
  }

  /**
   * Makes the replacement of a hung instance on the same placement, and puts it in the hung one's
   * place in {@code instances} (which the version closes on unload; the hung one is closed by its
   * own thread if it ever returns).
   */
  private static InstanceSupervisor replaceInstances(Model model, List<ModelInstance> instances) {
    return (index, hung) -> {
      ModelInstance fresh = model.newInstance(hung.placement());
      instances.set(index, fresh);
      return fresh;
    };
  }

  /**
   * The instances of a group: for KIND_GPU, {@code count} on each GPU of {@code gpus}, or on every
   * GPU of the host when it names none (GPU 0 when the host has none, so that the backend explains
   * why it cannot load).
   */
  static List<InstancePlacement> placements(ModelInstanceGroup g, int hostGpus) {
    List<InstancePlacement> out = new ArrayList<>();
    switch (g.getKind()) {
      case KIND_GPU:
        List<Integer> gpus =
            g.getGpusCount() > 0
                ? g.getGpusList()
                : IntStream.range(0, Math.max(1, hostGpus)).boxed().toList();
        for (int gpu : gpus) {
          for (int i = 0; i < g.getCount(); i++) {
            out.add(
                new InstancePlacement(
                    g.getName() + "_" + i + "_gpu" + gpu, InstancePlacement.Kind.GPU, gpu));
          }
        }
        break;
      case KIND_MODEL:
        for (int i = 0; i < g.getCount(); i++) {
          out.add(new InstancePlacement(g.getName() + "_" + i, InstancePlacement.Kind.MODEL, -1));
        }
        break;
      default:
        for (int i = 0; i < g.getCount(); i++) {
          out.add(InstancePlacement.cpu(g.getName() + "_" + i));
        }
    }
    return out;
  }

  private ModelIo modelIo(ModelConfig config, Path modelDir)
      throws LoadException, io.tensorgate.backend.InferenceException {
    List<TensorSpec> inputs = SchedulerConfigs.inputSpecs(config);
    boolean[] optional = new boolean[inputs.size()];
    for (int i = 0; i < optional.length; i++) {
      optional[i] = config.getInput(i).getOptional();
    }
    List<List<String>> labels = new ArrayList<>();
    for (int i = 0; i < config.getOutputCount(); i++) {
      ModelOutput out = config.getOutput(i);
      labels.add(
          out.getLabelFilename().isEmpty()
              ? null
              : readLabels(
                  layout.resolveInside(modelDir, out.getLabelFilename(), "label_filename"),
                  out.getLabelFilename()));
    }
    return new ModelIo(
        config.getName(),
        config.getMaxBatchSize(),
        inputs,
        optional,
        SchedulerConfigs.outputSpecs(config),
        labels);
  }

  private static List<String> readLabels(Path file, String shownAs) throws LoadException {
    try {
      if (Files.size(file) > MAX_LABEL_BYTES) {
        throw new LoadException(
            "label file '" + shownAs + "' is larger than " + MAX_LABEL_BYTES + " bytes");
      }
      return List.copyOf(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new LoadException("label file '" + shownAs + "' does not exist", e);
    } catch (IOException e) {
      throw new LoadException("failed to read label file '" + shownAs + "'", e);
    }
  }

  /** Why a version could not be loaded, in words for RepositoryIndex and the logs. */
  static final class LoadException extends Exception {
    private static final long serialVersionUID = 1L;

    LoadException(String message) {
      super(message);
    }

    LoadException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
