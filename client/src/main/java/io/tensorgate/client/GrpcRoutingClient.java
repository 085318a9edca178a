package io.tensorgate.client;

import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc.RoutingServiceBlockingStub;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import java.util.List;

/** {@link RoutingClient} over {@code tensorgate.admin.v1.RoutingService}. */
final class GrpcRoutingClient implements RoutingClient {
  private final Calls calls;

  GrpcRoutingClient(Calls calls) {
    this.calls = calls;
  }

  private RoutingServiceBlockingStub blocking() {
    return calls.withDefaultDeadline(RoutingServiceGrpc.newBlockingStub(calls.channel()));
  }

  @Override
  public GetRoutingResponse get(String model) {
    GetRoutingRequest r = GetRoutingRequest.newBuilder().setModelName(model).build();
    return Calls.call(() -> blocking().getRouting(r));
  }

  @Override
  public GetRoutingResponse set(String model, ModelRouting routing, String reason) {
    SetRoutingRequest r =
        SetRoutingRequest.newBuilder()
            .setModelName(model)
            .setRouting(routing)
            .setReason(reason)
            .build();
    return Calls.call(() -> blocking().setRouting(r));
  }

  @Override
  public GetRoutingResponse setLabel(String model, String label, long version) {
    SetLabelRequest r =
        SetLabelRequest.newBuilder()
            .setModelName(model)
            .setLabel(label)
            .setVersion(version)
            .build();
    return Calls.call(() -> blocking().setLabel(r));
  }

  @Override
  public GetRoutingResponse setCanary(String model, long version, double weightPercent) {
    SetCanaryRequest r =
        SetCanaryRequest.newBuilder()
            .setModelName(model)
            .setVersion(version)
            .setWeightPercent(weightPercent)
            .build();
    return Calls.call(() -> blocking().setCanary(r));
  }

  @Override
  public GetRoutingResponse setShadow(String model, Shadow shadow) {
    SetShadowRequest r =
        SetShadowRequest.newBuilder().setModelName(model).setShadow(shadow).build();
    return Calls.call(() -> blocking().setShadow(r));
  }

  @Override
  public GetRoutingResponse promote(String model) {
    PromoteRequest r = PromoteRequest.newBuilder().setModelName(model).build();
    return Calls.call(() -> blocking().promote(r));
  }

  @Override
  public GetRoutingResponse rollback(String model, String reason) {
    RollbackRequest r = RollbackRequest.newBuilder().setModelName(model).setReason(reason).build();
    return Calls.call(() -> blocking().rollback(r));
  }

  @Override
  public List<RoutingEvent> events(String model, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0");
    }
    ListEventsRequest r =
        ListEventsRequest.newBuilder().setModelName(model).setLimit(limit).build();
    return Calls.call(() -> blocking().listEvents(r).getEventsList());
  }
}
