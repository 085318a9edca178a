package io.tensorgate.server.route;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.admin.v1.Canary;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ListEventsResponse;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RoutingServiceGrpc;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * {@code tensorgate.admin.v1.RoutingService}. Runs on the transport threads: reads are snapshots, a
 * change holds the routing lock while it validates and writes one small file.
 */
final class RoutingService extends RoutingServiceGrpc.RoutingServiceImplBase {
  private final RoutingControl control;
  private final RolloutController rollouts;
  private final DivergenceTable divergence;

  RoutingService(RoutingControl control, RolloutController rollouts, DivergenceTable divergence) {
    this.control = Objects.requireNonNull(control, "control");
    this.rollouts = Objects.requireNonNull(rollouts, "rollouts");
    this.divergence = Objects.requireNonNull(divergence, "divergence");
  }

  @Override
  public void getRouting(GetRoutingRequest req, StreamObserver<GetRoutingResponse> obs) {
    answer(obs, req.getModelName(), () -> control.current(req.getModelName()));
  }

  @Override
  public void setRouting(SetRoutingRequest req, StreamObserver<GetRoutingResponse> obs) {
    String why = req.getReason().isEmpty() ? "routing replaced" : req.getReason();
    change(obs, req.getModelName(), c -> req.getRouting(), "set", why);
  }

  @Override
  public void setLabel(SetLabelRequest req, StreamObserver<GetRoutingResponse> obs) {
    String label = req.getLabel();
    long v = req.getVersion();
    change(
        obs,
        req.getModelName(),
        c ->
            v == 0
                ? c.toBuilder().removeLabels(label).build()
                : c.toBuilder().putLabels(label, v).build(),
        "label",
        v == 0 ? "label '" + label + "' removed" : "label '" + label + "' -> version " + v);
  }

  @Override
  public void setCanary(SetCanaryRequest req, StreamObserver<GetRoutingResponse> obs) {
    long v = req.getVersion();
    double w = req.getWeightPercent();
    change(
        obs,
        req.getModelName(),
        c ->
            v == 0
                ? c.toBuilder().clearCanary().build()
                : c.toBuilder()
                    .setCanary(Canary.newBuilder().setVersion(v).setWeightPercent(w))
                    .build(),
        "canary",
        v == 0 ? "canary removed" : "canary version " + v + " at " + w + " %");
  }

  @Override
  public void setShadow(SetShadowRequest req, StreamObserver<GetRoutingResponse> obs) {
    change(
        obs,
        req.getModelName(),
        c -> c.toBuilder().setShadow(req.getShadow()).build(),
        "shadow",
        req.getShadow().getVersion() == 0
            ? "shadow removed"
            : "shadow version "
                + req.getShadow().getVersion()
                + " at fraction "
                + req.getShadow().getFraction());
  }

  @Override
  public void promote(PromoteRequest req, StreamObserver<GetRoutingResponse> obs) {
    String model = req.getModelName();
    answer(
        obs,
        model,
        () -> {
          long canary = control.current(model).getCanary().getVersion();
          if (canary == 0) {
            throw RouteValidator.status(
                Status.FAILED_PRECONDITION, "model '" + model + "' has no canary to promote");
          }
          return control.apply(
              model,
              RolloutController::promoted,
              "promote",
              "canary version " + canary + " promoted by the admin API");
        });
  }

  @Override
  public void rollback(RollbackRequest req, StreamObserver<GetRoutingResponse> obs) {
    String why = req.getReason().isEmpty() ? "rolled back by the admin API" : req.getReason();
    change(obs, req.getModelName(), c -> c.toBuilder().clearCanary().build(), "rollback", why);
  }

  @Override
  public void listEvents(ListEventsRequest req, StreamObserver<ListEventsResponse> obs) {
    obs.onNext(
        ListEventsResponse.newBuilder()
            .addAllEvents(control.events().list(req.getModelName(), req.getLimit()))
            .build());
    obs.onCompleted();
  }

  private void change(
      StreamObserver<GetRoutingResponse> obs,
      String model,
      UnaryOperator<ModelRouting> change,
      String kind,
      String reason) {
    answer(obs, model, () -> control.apply(model, change, kind, reason));
  }

  private interface Action {
    ModelRouting run() throws StatusException;
  }

  private void answer(StreamObserver<GetRoutingResponse> obs, String model, Action action) {
    if (model.isEmpty()) {
      obs.onError(
          Status.INVALID_ARGUMENT.withDescription("model_name is required").asRuntimeException());
      return;
    }
    ModelRouting routing;
    try {
      routing = action.run();
    } catch (StatusException e) {
      obs.onError(e);
      return;
    }
    GetRoutingResponse.Builder b =
        GetRoutingResponse.newBuilder()
            .setModelName(model)
            .setRouting(routing)
            .setRolloutState(rollouts.state(model));
    divergence.forModel(model).forEach(d -> b.addDivergence(d.toProto()));
    obs.onNext(b.build());
    obs.onCompleted();
  }
}
