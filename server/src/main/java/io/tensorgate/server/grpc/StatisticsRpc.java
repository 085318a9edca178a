package io.tensorgate.server.grpc;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.inference.InferBatchStatistics;
import io.tensorgate.proto.inference.InferStatistics;
import io.tensorgate.proto.inference.ModelStatistics;
import io.tensorgate.proto.inference.ModelStatisticsRequest;
import io.tensorgate.proto.inference.ModelStatisticsResponse;
import io.tensorgate.proto.inference.StatisticDuration;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.stats.StatsSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * ModelStatistics, read from the same counters the metrics export, counted since the version was
 * loaded (see {@link LoadedVersion#statistics}).
 */
final class StatisticsRpc {
  private final ModelRegistry registry;

  StatisticsRpc(ModelRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  ModelStatisticsResponse statistics(ModelStatisticsRequest req) throws InferenceException {
    List<LoadedVersion> versions = new ArrayList<>();
    if (req.getName().isEmpty()) {
      if (!req.getVersion().isEmpty()) {
        throw new InferenceException(
            ErrorCode.INVALID_ARGUMENT, "a model version requires a model name");
      }
      for (ModelRegistry.ServedModel m : registry.all()) {
        versions.addAll(m.ready().values());
      }
      versions.sort(
          Comparator.comparing(LoadedVersion::name).thenComparingLong(LoadedVersion::version));
    } else if (req.getVersion().isEmpty()) {
      ModelRegistry.ServedModel m = registry.get(req.getName());
      if (m == null) {
        registry.resolve(req.getName(), "");
      } else {
        versions.addAll(m.ready().values());
      }
    } else {
      versions.add(registry.resolve(req.getName(), req.getVersion()));
    }
    ModelStatisticsResponse.Builder out = ModelStatisticsResponse.newBuilder();
    for (LoadedVersion v : versions) {
      out.addModelStats(toProto(v));
    }
    return out.build();
  }

  private static ModelStatistics toProto(LoadedVersion v) {
    StatsSnapshot s = v.statistics();
    ModelStatistics.Builder b =
        ModelStatistics.newBuilder()
            .setName(v.name())
            .setVersion(v.versionString())
            .setLastInference(s.lastInferenceMillis())
            .setInferenceCount(s.inferenceCount())
            .setExecutionCount(s.executionCount())
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(duration(s.success()))
                    .setFail(duration(s.fail()))
                    .setQueue(duration(s.queue()))
                    .setComputeInput(duration(s.computeInput()))
                    .setComputeInfer(duration(s.computeInfer()))
                    .setComputeOutput(duration(s.computeOutput()))
                    .setCacheHit(StatisticDuration.getDefaultInstance())
                    .setCacheMiss(StatisticDuration.getDefaultInstance()));
    new TreeMap<>(s.batches())
        .forEach(
            (size, d) ->
                b.addBatchStats(
                    InferBatchStatistics.newBuilder()
                        .setBatchSize(size)
                        .setComputeInput(duration(d.computeInput()))
                        .setComputeInfer(duration(d.computeInfer()))
                        .setComputeOutput(duration(d.computeOutput()))));
    return b.build();
  }

  private static StatisticDuration duration(StatsSnapshot.Count d) {
    return StatisticDuration.newBuilder().setCount(d.count()).setNs(d.nanos()).build();
  }
}
