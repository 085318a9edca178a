package io.tensorgate.server.audit;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.admin.v1.GetProvenanceRequest;
import io.tensorgate.proto.admin.v1.GetProvenanceResponse;
import io.tensorgate.proto.admin.v1.GovernanceServiceGrpc;
import io.tensorgate.proto.admin.v1.ListAuditEntriesRequest;
import io.tensorgate.proto.admin.v1.ListAuditEntriesResponse;
import io.tensorgate.proto.admin.v1.VersionProvenance;
import io.tensorgate.server.provenance.Provenance;
import io.tensorgate.server.repository.LoadedVersion;
import io.tensorgate.server.repository.ModelRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * {@code tensorgate.admin.v1.GovernanceService}: the provenance of the versions in service and the
 * recent audit entries. Both read snapshots; runs on the transport threads.
 */
public final class GovernanceService extends GovernanceServiceGrpc.GovernanceServiceImplBase {
  private final ModelRegistry registry;
  private final AuditTrail audit;

  public GovernanceService(ModelRegistry registry, AuditTrail audit) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.audit = Objects.requireNonNull(audit, "audit");
  }

  @Override
  public void getProvenance(GetProvenanceRequest req, StreamObserver<GetProvenanceResponse> obs) {
    List<ModelRegistry.ServedModel> models = new ArrayList<>();
    if (req.getModelName().isEmpty()) {
      models.addAll(registry.all());
      models.sort(Comparator.comparing(ModelRegistry.ServedModel::name));
    } else {
      ModelRegistry.ServedModel m = registry.get(req.getModelName());
      if (m == null || m.ready().isEmpty()) {
        obs.onError(
            Status.NOT_FOUND
                .withDescription(
                    "model '" + AuditEntry.cap(req.getModelName()) + "' has no version in service")
                .asRuntimeException());
        return;
      }
      models.add(m);
    }
    GetProvenanceResponse.Builder b = GetProvenanceResponse.newBuilder();
    for (ModelRegistry.ServedModel m : models) {
      for (LoadedVersion v : m.ready().values()) {
        Provenance p = v.provenance();
        b.addVersions(
            VersionProvenance.newBuilder()
                .setModelName(v.name())
                .setVersion(v.version())
                .setVerified(p.verified())
                .setDigest(p.digest())
                .setSigner(p.signer())
                .setKeyId(p.keyId()));
      }
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }

  @Override
  public void listAuditEntries(
      ListAuditEntriesRequest req, StreamObserver<ListAuditEntriesResponse> obs) {
    ListAuditEntriesResponse.Builder b = ListAuditEntriesResponse.newBuilder();
    for (AuditEntry e : audit.recent(req.getModelName(), req.getLimit())) {
      b.addEntries(
          io.tensorgate.proto.admin.v1.AuditEntry.newBuilder()
              .setTimeUnixMillis(e.time().toEpochMilli())
              .setCallerRule(e.caller().rule())
              .setCallerSubject(e.caller().subject())
              .setPeer(e.caller().peer())
              .setCall(e.call())
              .setModelName(e.model())
              .setModelVersion(e.version())
              .putAllArguments(e.arguments())
              .setStatus(e.status())
              .setMessage(e.message())
              .setJson(e.json()));
    }
    obs.onNext(b.build());
    obs.onCompleted();
  }
}
