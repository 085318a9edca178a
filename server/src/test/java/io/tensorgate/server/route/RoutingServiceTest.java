package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tensorgate.proto.admin.v1.GetRoutingRequest;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ListEventsResponse;
import io.tensorgate.proto.admin.v1.PromoteRequest;
import io.tensorgate.proto.admin.v1.RollbackRequest;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetCanaryRequest;
import io.tensorgate.proto.admin.v1.SetLabelRequest;
import io.tensorgate.proto.admin.v1.SetShadowRequest;
import io.tensorgate.proto.admin.v1.Shadow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin service over the real routing graph, an in-memory registry and a temp repository. */
class RoutingServiceTest {
  @TempDir Path repository;

  private RouteTableRouter router;
  private RoutingService service;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(repository.resolve("m"));
    RoutingGraph g = new RoutingGraph(repository);
    router = g.router;
    service = g.service;
  }

  /** Collects one unary answer; the service answers on the calling thread. */
  private static final class Answer<T> implements StreamObserver<T> {
    T value;
    Status error;
    boolean completed;

    @Override
    public void onNext(T v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      error = Status.fromThrowable(t);
    }

    @Override
    public void onCompleted() {
      completed = true;
    }
  }

  private GetRoutingResponse ok(Answer<GetRoutingResponse> a) {
    assertThat(a.error).as("error").isNull();
    assertThat(a.completed).isTrue();
    return a.value;
  }

  private Answer<GetRoutingResponse> setCanary(long version, double weight) {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.setCanary(
        SetCanaryRequest.newBuilder()
            .setModelName("m")
            .setVersion(version)
            .setWeightPercent(weight)
            .build(),
        a);
    return a;
  }

  private Answer<GetRoutingResponse> promote() {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.promote(PromoteRequest.newBuilder().setModelName("m").build(), a);
    return a;
  }

  private Answer<GetRoutingResponse> rollback(String reason) {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.rollback(RollbackRequest.newBuilder().setModelName("m").setReason(reason).build(), a);
    return a;
  }

  private Answer<GetRoutingResponse> setLabel(String label, long version) {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.setLabel(
        SetLabelRequest.newBuilder().setModelName("m").setLabel(label).setVersion(version).build(),
        a);
    return a;
  }

  private Answer<GetRoutingResponse> setShadow(Shadow.Builder s) {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.setShadow(SetShadowRequest.newBuilder().setModelName("m").setShadow(s).build(), a);
    return a;
  }

  private List<RoutingEvent> events() {
    Answer<ListEventsResponse> a = new Answer<>();
    service.listEvents(ListEventsRequest.newBuilder().setModelName("m").build(), a);
    assertThat(a.completed).isTrue();
    return a.value.getEventsList();
  }

  private GetRoutingResponse get(String model) {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.getRouting(GetRoutingRequest.newBuilder().setModelName(model).build(), a);
    return ok(a);
  }

  @Test
  void shouldAnswerAnEmptyRoutingWhenNoneWasSet() {
    GetRoutingResponse r = get("m");

    assertThat(r.getModelName()).isEqualTo("m");
    assertThat(r.getRouting().hasCanary()).isFalse();
  }

  @Test
  void shouldRefuseARequestWithoutModelName() {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.getRouting(GetRoutingRequest.getDefaultInstance(), a);

    assertThat(a.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(a.error.getDescription()).isEqualTo("model_name is required");
  }

  @Test
  void shouldRefuseAModelNotServed() {
    Answer<GetRoutingResponse> a = new Answer<>();
    service.getRouting(GetRoutingRequest.newBuilder().setModelName("x").build(), a);

    assertThat(a.error.getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void shouldSetTheCanaryAndFillTheStableVersionWhenACanaryIsSet() {
    GetRoutingResponse r = ok(setCanary(2, 20));

    assertThat(r.getRouting().getCanary().getVersion()).isEqualTo(2);
    assertThat(r.getRouting().getCanary().getWeightPercent()).isEqualTo(20);
    assertThat(r.getRouting().getStableVersion()).isEqualTo(3);
    assertThat(router.get("m").split.weightPercent()).isEqualTo(20);
    assertThat(events())
        .last()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo("canary");
              assertThat(e.getReason()).isEqualTo("canary version 2 at 20.0 %");
            });
  }

  @Test
  void shouldPersistTheRoutingWhenChanged() throws Exception {
    ok(setCanary(2, 20));

    assertThat(Files.readString(repository.resolve("m").resolve("routing.pbtxt")))
        .contains("weight_percent: 20");
  }

  @Test
  void shouldRemoveTheCanaryWhenItsVersionIsZero() {
    ok(setCanary(2, 20));

    GetRoutingResponse r = ok(setCanary(0, 0));

    assertThat(r.getRouting().hasCanary()).isFalse();
    assertThat(events()).last().extracting(RoutingEvent::getReason).isEqualTo("canary removed");
  }

  @Test
  void shouldMakeTheCanaryStableWhenPromoted() {
    ok(setCanary(2, 20));
    ok(setLabel("stable", 3));

    GetRoutingResponse r = ok(promote());

    assertThat(r.getRouting().getStableVersion()).isEqualTo(2);
    assertThat(r.getRouting().hasCanary()).isFalse();
    assertThat(r.getRouting().getLabelsMap()).containsEntry("stable", 2L);
    assertThat(router.get("m").split).isNull();
    assertThat(events())
        .last()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo("promote");
              assertThat(e.getReason()).isEqualTo("canary version 2 promoted by the admin API");
            });
  }

  @Test
  void shouldRefuseToPromoteWithoutACanary() {
    Answer<GetRoutingResponse> a = promote();

    assertThat(a.error.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(a.error.getDescription()).isEqualTo("model 'm' has no canary to promote");
  }

  @Test
  void shouldKeepTheStableVersionAndDropTheCanaryWhenRolledBack() {
    ok(setCanary(2, 20));

    GetRoutingResponse r = ok(rollback(""));

    assertThat(r.getRouting().getStableVersion()).isEqualTo(3);
    assertThat(r.getRouting().hasCanary()).isFalse();
    assertThat(events())
        .last()
        .satisfies(
            e -> {
              assertThat(e.getKind()).isEqualTo("rollback");
              assertThat(e.getReason()).isEqualTo("rolled back by the admin API");
            });
  }

  @Test
  void shouldRecordTheClientsReasonWhenRolledBackWithOne() {
    ok(setCanary(2, 20));

    ok(rollback("p99 too high"));

    assertThat(events()).last().extracting(RoutingEvent::getReason).isEqualTo("p99 too high");
  }

  @Test
  void shouldSetAndRemoveALabel() {
    assertThat(ok(setLabel("beta", 1)).getRouting().getLabelsMap()).containsEntry("beta", 1L);
    assertThat(events())
        .last()
        .extracting(RoutingEvent::getReason)
        .isEqualTo("label 'beta' -> version 1");

    assertThat(ok(setLabel("beta", 0)).getRouting().getLabelsMap()).doesNotContainKey("beta");
    assertThat(events())
        .last()
        .extracting(RoutingEvent::getReason)
        .isEqualTo("label 'beta' removed");
  }

  @Test
  void shouldChangeNothingWhenTheChangeIsInvalid() {
    ok(setCanary(2, 20));

    Answer<GetRoutingResponse> a = setCanary(2, 200);

    assertThat(a.error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(get("m").getRouting().getCanary().getWeightPercent()).isEqualTo(20);
  }

  @Test
  void shouldInstallAShadowWithAFractionBelowOne() {
    GetRoutingResponse r = ok(setShadow(Shadow.newBuilder().setVersion(1).setFraction(0.25)));

    assertThat(r.getRouting().getShadow().getFraction()).isEqualTo(0.25);
    assertThat(router.get("m").shadow.fraction()).isEqualTo(0.25);
    assertThat(events())
        .last()
        .extracting(RoutingEvent::getReason)
        .isEqualTo("shadow version 1 at fraction 0.25");
  }

  @Test
  void shouldRemoveTheShadowWhenItsVersionIsZero() {
    ok(setShadow(Shadow.newBuilder().setVersion(1).setFraction(0.25)));

    GetRoutingResponse r = ok(setShadow(Shadow.newBuilder()));

    assertThat(r.getRouting().hasShadow()).isFalse();
    assertThat(events()).last().extracting(RoutingEvent::getReason).isEqualTo("shadow removed");
  }

  @Test
  void shouldDropAShadowOfTheCanaryWhenTheCanaryIsPromoted() {
    ok(setCanary(2, 20));
    ok(setShadow(Shadow.newBuilder().setVersion(2).setFraction(1)));

    GetRoutingResponse r = ok(promote());

    assertThat(r.getRouting().hasShadow()).isFalse();
  }
}
