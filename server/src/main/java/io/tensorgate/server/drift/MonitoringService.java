package io.tensorgate.server.drift;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.proto.admin.v1.FeatureDrift;
import io.tensorgate.proto.admin.v1.GetDriftRequest;
import io.tensorgate.proto.admin.v1.GetDriftResponse;
import io.tensorgate.proto.admin.v1.ModelDrift;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.admin.v1.ResetReferenceRequest;
import io.tensorgate.proto.admin.v1.ResetReferenceResponse;
import io.tensorgate.proto.admin.v1.Thresholds;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code tensorgate.admin.v1.MonitoringService}: drift statistics and reference resets. Runs on the
 * transport threads: reads are snapshots, a reset takes the monitor's lock briefly (and re-reads a
 * reference file, which is small and bounded).
 */
final class MonitoringService extends MonitoringServiceGrpc.MonitoringServiceImplBase {
  private final DriftMonitor drift;
  private final ModelRegistry models;

  MonitoringService(DriftMonitor drift, ModelRegistry models) {
    this.drift = Objects.requireNonNull(drift, "drift");
    this.models = Objects.requireNonNull(models, "models");
  }

  @Override
  public void getDrift(GetDriftRequest req, StreamObserver<GetDriftResponse> obs) {
    List<VersionDrift> found;
    try {
      found =
          req.getModelName().isEmpty() && req.getModelVersion().isEmpty()
              ? drift.monitors(null)
              : select(req.getModelName(), req.getModelVersion());
    } catch (StatusException e) {
      obs.onError(e.status.asRuntimeException());
      return;
    }
    GetDriftResponse.Builder b = GetDriftResponse.newBuilder();
    found.forEach(d -> b.addModels(toProto(d)));
    obs.onNext(b.build());
    obs.onCompleted();
  }

  @Override
  public void resetReference(
      ResetReferenceRequest req, StreamObserver<ResetReferenceResponse> obs) {
    List<VersionDrift> found;
    try {
      found = select(req.getModelName(), req.getModelVersion());
    } catch (StatusException e) {
      obs.onError(e.status.asRuntimeException());
      return;
    }
    ResetReferenceResponse.Builder b = ResetReferenceResponse.newBuilder();
    for (VersionDrift d : found) {
      d.reset();
      b.addModels(toProto(d));
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  private List<VersionDrift> select(String model, String version) throws StatusException {
    if (model.isEmpty()) {
      throw new StatusException(Status.INVALID_ARGUMENT.withDescription("model_name is required"));
    }
    List<VersionDrift> out = new ArrayList<>();
    if (version.isEmpty()) {
      ModelRegistry.ServedModel m = models.get(model);
      if (m == null || m.ready().isEmpty()) {
        throw new StatusException(
            Status.NOT_FOUND.withDescription("model '" + model + "' has no ready version"));
      }
      out.addAll(drift.monitors(model));
    } else {
      LoadedVersion v;
      try {
        v = models.resolve(model, version);
      } catch (InferenceException e) {
        throw new StatusException(Status.fromCodeValue(code(e)).withDescription(e.getMessage()));
      }
      for (VersionDrift d : drift.monitors(model)) {
        if (d.version == v) {
          out.add(d);
        }
      }
    }
    if (out.isEmpty()) {
      throw new StatusException(
          Status.FAILED_PRECONDITION.withDescription(
              "model '"
                  + model
                  + "' does not monitor drift: set the config parameter "
                  + DriftConfig.SAMPLE_RATE));
    }
    return out;
  }

  private static int code(InferenceException e) {
    switch (e.error().code()) {
      case INVALID_ARGUMENT:
        return Status.Code.INVALID_ARGUMENT.value();
      case UNAVAILABLE:
        return Status.Code.UNAVAILABLE.value();
      default:
        return Status.Code.NOT_FOUND.value();
    }
  }

  static ModelDrift toProto(VersionDrift d) {
    VersionDrift.Report r = d.report();
    ModelDrift.Builder b =
        ModelDrift.newBuilder()
            .setModelName(d.version.name())
            .setModelVersion(d.version.versionString())
            .setState(
                switch (r.state()) {
                  case CAPTURING -> ModelDrift.State.CAPTURING_REFERENCE;
                  case MONITORING -> ModelDrift.State.MONITORING;
                  case FAILED -> ModelDrift.State.FAILED;
                })
            .setReferenceSource(r.source())
            .setFailureReason(r.failure())
            .setReferenceRequests(r.referenceRequests())
            .setWindowRequests(r.windowRequests())
            .setSampledRequests((long) d.sampled.count())
            .setDroppedSamples((long) d.dropped.count());
    if (d.config != null) {
      b.setThresholds(
          Thresholds.newBuilder()
              .setPsi(d.config.psiThreshold())
              .setKl(d.config.klThreshold())
              .setKs(d.config.ksThreshold())
              .setMinWindowRequests(d.config.minWindowRequests()));
    }
    for (VersionDrift.FeatureReport f : r.features()) {
      b.addFeatures(
          FeatureDrift.newBuilder()
              .setName(f.feature().name())
              .setTensor(f.feature().tensor())
              .setOutput(f.feature().output())
              .setKind(
                  f.feature().categorical()
                      ? FeatureDrift.Kind.CATEGORICAL
                      : FeatureDrift.Kind.NUMERIC)
              .setPsi(f.psi())
              .setKl(f.kl())
              .setKs(f.ks())
              .setDrifting(f.drifting())
              .setEvents(f.events()));
    }
    return b.build();
  }

  /** A refusal with its gRPC status. */
  private static final class StatusException extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Status status;

    StatusException(Status status) {
      super(status.getDescription(), null, false, false);
      this.status = status;
    }
  }
}
