package io.tensorgate.server.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tensorgate.proto.admin.v1.GetRoutingResponse;
import io.tensorgate.proto.admin.v1.ListEventsRequest;
import io.tensorgate.proto.admin.v1.ModelRouting;
import io.tensorgate.proto.admin.v1.RolloutPolicy;
import io.tensorgate.proto.admin.v1.RoutingEvent;
import io.tensorgate.proto.admin.v1.SetRoutingRequest;
import io.tensorgate.server.testing.ScriptedBackend;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server both routing-administration tests run against: model {@code adm} with versions 1 and
 * 2, {@code solo} with only version 1, started once per test class; each test starts from no
 * routing. Also the calls and assertions they share.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RoutingAdminTestBase {
  static final String MODEL = "adm";

  // Static: JUnit fills instance @TempDir fields before each test, after @BeforeAll.
  @TempDir static Path repo;
  RoutingFixture f;

  @BeforeAll
  void start() throws Exception {
    RoutingFixture.writeModel(repo, MODEL);
    ScriptedBackend.reset("solo");
    ScriptedBackend.writeModel(repo, "solo", "", 1);
    f = RoutingFixture.start(repo, MODEL, new RoutingOptions());
  }

  @AfterAll
  void stop() throws Exception {
    f.close();
  }

  @AfterEach
  void clearRouting() {
    for (String model : List.of(MODEL, "solo")) {
      f.admin()
          .setRouting(
              SetRoutingRequest.newBuilder()
                  .setModelName(model)
                  .setRouting(ModelRouting.getDefaultInstance())
                  .build());
    }
  }

  GetRoutingResponse set(ModelRouting.Builder routing) {
    return f.admin()
        .setRouting(SetRoutingRequest.newBuilder().setModelName(MODEL).setRouting(routing).build());
  }

  static ModelRouting.Builder rollout(RolloutPolicy.Builder policy) {
    return ModelRouting.newBuilder().setRollout(policy);
  }

  static void assertRefused(ThrowingCallable call, Status.Code code, String... descriptionParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(descriptionParts);
            });
  }

  void assertPolicyRefused(RolloutPolicy.Builder policy) {
    assertRefused(() -> set(rollout(policy)), Status.Code.INVALID_ARGUMENT, "rollout");
    assertThat(f.routing().getRouting()).isEqualTo(ModelRouting.getDefaultInstance());
  }

  List<RoutingEvent> events(int limit) {
    return f.admin()
        .listEvents(ListEventsRequest.newBuilder().setModelName(MODEL).setLimit(limit).build())
        .getEventsList();
  }
}
