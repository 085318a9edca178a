package io.tensorgate.client;

import io.tensorgate.proto.admin.v1.GetDriftRequest;
import io.tensorgate.proto.admin.v1.ModelDrift;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc;
import io.tensorgate.proto.admin.v1.MonitoringServiceGrpc.MonitoringServiceBlockingStub;
import io.tensorgate.proto.admin.v1.ResetReferenceRequest;
import java.util.List;

/** {@link MonitoringClient} over {@code tensorgate.admin.v1.MonitoringService}. */
final class GrpcMonitoringClient implements MonitoringClient {
  private final Calls calls;

  GrpcMonitoringClient(Calls calls) {
    this.calls = calls;
  }

  private MonitoringServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(MonitoringServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public List<ModelDrift> drift(String model) {
    return drift(model, "");
  }

  @Override
  public List<ModelDrift> drift(String model, String version) {
    GetDriftRequest r =
        GetDriftRequest.newBuilder().setModelName(model).setModelVersion(version).build();
    return Calls.call(() -> blocking().getDrift(r).getModelsList());
  }

  @Override
  public List<ModelDrift> resetReference(String model, String version) {
    ResetReferenceRequest r =
        ResetReferenceRequest.newBuilder().setModelName(model).setModelVersion(version).build();
    return Calls.call(() -> blocking().resetReference(r).getModelsList());
  }
}
