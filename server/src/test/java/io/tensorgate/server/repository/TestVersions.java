package io.tensorgate.server.repository;

import io.tensorgate.backend.InferenceError;
import io.tensorgate.backend.InstancePlacement;
import io.tensorgate.backend.Model;
import io.tensorgate.backend.ModelDefinition;
import io.tensorgate.backend.ModelInstance;
import io.tensorgate.batching.InferenceRequest;
import io.tensorgate.batching.Scheduler;
import io.tensorgate.proto.inference.ModelConfig;
import io.tensorgate.server.provenance.Provenance;
import io.tensorgate.server.stats.ModelStats;
import io.tensorgate.server.stats.StatsSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A {@link LoadedVersion} without a backend behind it, for tests of what surrounds one. */
public final class TestVersions {
  private TestVersions() {}

  /** Version 1 of a model with {@code io}'s tensors, whose scheduler accepts and drops requests. */
  public static LoadedVersion version(ModelIo io) {
    return version(io, Runnable::run);
  }

  /** As {@link #version(ModelIo)}, closing on {@code closer} once retired. */
  public static LoadedVersion version(ModelIo io, Executor closer) {
    return version(
        ModelConfig.newBuilder().setName(io.modelName()).build(), 1, io, closer, request -> null);
  }

  /**
   * Version {@code version} of the model a text config describes (its signature, as loaded),
   * without a backend.
   */
  public static LoadedVersion version(String configText, long version) {
    return version(configText, version, request -> null);
  }

  /**
   * As {@link #version(String, long)}, whose scheduler hands each request to {@code submit} and
   * answers what it returns (null: accepted).
   */
  public static LoadedVersion version(
      String configText, long version, Function<InferenceRequest, InferenceError> submit) {
    try {
      ModelConfig c = ConfigReader.parseText(configText, "TestVersions");
      ConfigValidator.validate(c);
      return version(c, version, FuzzModels.io(c), Runnable::run, submit);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A registry serving {@code ready} (versions of one model) and no other model. */
  public static ModelRegistry registry(LoadedVersion... ready) {
    java.util.TreeMap<Long, LoadedVersion> versions = new java.util.TreeMap<>();
    for (LoadedVersion v : ready) {
      versions.put(v.version(), v);
    }
    ModelRegistry registry = new ModelRegistry();
    registry.put(new ModelRegistry.ServedModel(ready[0].name(), versions, java.util.Map.of()));
    return registry;
  }

  /** Adds {@code model} to {@code registry}. */
  public static void serve(ModelRegistry registry, ModelRegistry.ServedModel model) {
    registry.put(model);
  }

  private static LoadedVersion version(
      ModelConfig config,
      long version,
      ModelIo io,
      Executor closer,
      Function<InferenceRequest, InferenceError> submit) {
    Scheduler scheduler =
        new Scheduler() {
          @Override
          public InferenceError submit(InferenceRequest request) {
            return submit.apply(request);
          }

          @Override
          public int queueDepth() {
            return 0;
          }

          @Override
          public int pendingCount() {
            return 0;
          }

          @Override
          public int liveInstances() {
            return 1;
          }

          @Override
          public long failures() {
            return 0;
          }

          @Override
          public java.util.function.LongSupplier workerCpuTime() {
            return () -> 0;
          }

          @Override
          public void shutdown() {}

          @Override
          public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
          }

          @Override
          public void close() {}
        };
    Model model =
        new Model() {
          @Override
          public ModelDefinition definition() {
            throw new UnsupportedOperationException();
          }

          @Override
          public ModelInstance newInstance(InstancePlacement placement) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void close() {}
        };
    return new LoadedVersion(
        config,
        version,
        io,
        model,
        List.of(),
        scheduler,
        new ModelStats(),
        StatsSnapshot.EMPTY,
        0,
        Path.of("."),
        Provenance.UNVERIFIED,
        closer);
  }
}
